"""Tracking: the correction loop and the ready document's downloads (being built)."""

from __future__ import annotations

from .routes import bp  # noqa: F401
