"""What the server keeps for a test client's browser: its session row (`services.browser_sessions`)."""

from __future__ import annotations

import hashlib

from portal.extensions import db
from portal.models import BrowserSession


def _row(client) -> BrowserSession | None:
    with client.session_transaction() as session:
        token = session.get("sid")
    return db.session.get(BrowserSession, hashlib.sha256(token.encode()).hexdigest()) if token else None


def held(client, app) -> dict:
    """Return the data the server keeps for `client`'s browser ({} when it keeps none)."""
    with app.app_context():
        row = _row(client)
        return dict(row.data) if row is not None else {}


def hold(client, app, **changes) -> None:
    """Set keys of the data the server keeps for `client`'s browser (which must have a row)."""
    with app.app_context():
        row = _row(client)
        row.data = {**row.data, **changes}
        db.session.commit()
