"""Placeholder: written in this change."""

from .routes import bp  # noqa: F401
