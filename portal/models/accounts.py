"""Staff and village operators who sign in, and the audit log of what they do."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:  # for the annotations only; SQLAlchemy resolves the names through its registry
    from .catalogue import Region


class User(db.Model):
    """A staff member or village operator who signs in; residents never have accounts.

    Roles: operator (one desa, `region_code`), clerk, supervisor, admin. A disabled account cannot sign in
    at all. Wrong passwords are counted per username and client in the rate-limit store, not here.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(Integer, default=1)  # bumped to sign out everywhere
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region | None] = relationship(lazy="joined")

    # Flask-Login's interface
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_operator(self) -> bool:
        """True for a village operator (one desa's applications, the village menu)."""
        return self.role == "operator"

    @property
    def manages_office(self) -> bool:
        """True for a supervisor or an admin: the settings, the audit log, releasing another clerk's work."""
        return self.role in ("supervisor", "admin")

    def get_id(self) -> str:
        """Return the session identity: the id and the session version, so a password change ends sessions."""
        return f"{self.id}:{self.session_version}"


class BrowserSession(db.Model):
    """What the server granted one browser, kept here so that ending it ends it wherever its cookie was copied.

    The browser's cookie holds only a random token; `id` is its SHA-256, so neither a database dump nor a
    backup yields a working cookie. A staff member's session names the user (`user_id`) and ends after
    `STAFF_IDLE_MINUTES` without a request (`seen_at`), on sign-out, or when the account's password changes or
    it is disabled. `data` holds what must not sit in a cookie: the drafts this browser is filling in with
    their PINs, the applications unlocked in it, and a village operator's slip PINs.
    """

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    client: Mapped[str] = mapped_column(String(200), default="")  # "Chrome · Android", for staff only
    address: Mapped[str] = mapped_column(String(64), default="")  # the address it signed in from, staff only
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditEntry(db.Model):
    """One line of the audit log: a clerk's view of a scan or a change they made, with who and when.

    `action` is a short code (view_scan, take, release, accept_document, ask_fix, approve, ask_correction,
    reject, ready, upload_output, handover, print); `detail` says what exactly, in words.
    """

    __table_args__ = (db.Index("ix_audit_entry_at_id", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    user_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(30), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"), index=True)
    reference: Mapped[str] = mapped_column(String(20), default="")  # kept when the application is gone
    detail: Mapped[str] = mapped_column(String(500), default="")
