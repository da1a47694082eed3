"""What the app's storage holds, as tests look at it (whichever backend the app uses)."""

from __future__ import annotations

from portal.storage import current_storage


def stored_names(app, folder: str = "uploads/") -> list[str]:
    """Return the sorted names of the objects in `folder` of the app's storage."""
    with app.app_context():
        return sorted(found.key[len(folder):] for found in current_storage().list(folder))


def stored_body(app, name: str, folder: str = "uploads/") -> bytes:
    """Return the bytes stored as `name` in `folder`. Raises MissingObject when there are none."""
    with app.app_context():
        return current_storage().get(folder + name)
