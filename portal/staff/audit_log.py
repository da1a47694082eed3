"""Staff pages: audit_log (being built)."""

from __future__ import annotations

from .routes import bp  # noqa: F401
