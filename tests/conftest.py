"""Fixtures: an app on a fresh test database (SQLite by default, PostgreSQL with LOKET_TEST_DATABASE_URL).

The schema is built once per run through the migrations (so they are tested too); every test then starts
from empty tables.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from portal import create_app
from portal.extensions import db

WIB = ZoneInfo("Asia/Jakarta")


def wib(*parts: int) -> datetime:
    """Return an aware datetime in WIB, e.g. wib(2026, 12, 4, 9, 30)."""
    return datetime(*parts, tzinfo=WIB)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Return the URL of the run's test database."""
    return os.environ.get("LOKET_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def schema(database_url, tmp_path_factory):
    """Build the schema once per run with `flask db upgrade` on an emptied database."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
    return database_url


def _test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def clock():
    """Return a settable clock; tests set `clock.now` to an aware datetime (default Thu 3 Dec 2026 09:00 WIB)."""

    class Clock:
        now = wib(2026, 12, 3, 9, 0)

        def __call__(self):
            return self.now

    return Clock()


@pytest.fixture
def app(schema, clock, tmp_path):
    """Return an app on the test database with empty tables, the test clock, and its own upload folder."""
    config = _test_config(schema)
    config["CLOCK"] = clock
    config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    config["RECEIPT_DIR"] = str(tmp_path / "receipts")
    app = create_app(config)
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    """Return a test client of `app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner of `app`."""
    return app.test_cli_runner()


@pytest.fixture
def catalogue(app):
    """Seed the service catalogue and pickup places (not the regions, which are slower)."""
    from portal.services import seed

    with app.app_context():
        seed.seed_catalogue(seed.SeedReport())
        db.session.commit()
    return app


@pytest.fixture
def regions(app, catalogue):
    """Seed the regency's kecamatan and desa as well (the address step lists them)."""
    from portal.services import seed

    with app.app_context():
        seed.seed_regions(app.config["REGION_CODE"], seed.SeedReport())
        db.session.commit()
    return app
