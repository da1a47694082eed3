"""Column types and defaults shared by every table."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current instant in UTC (what every timestamp column stores)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC and always read back as an aware UTC datetime, on SQLite and PostgreSQL alike.

    SQLite keeps no offset, so an aware WIB time would otherwise come back as a naive, wrong one. Raises
    ValueError for a naive datetime: every instant the portal stores carries its zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store aware datetimes only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
