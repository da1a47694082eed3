"""The Flask extensions, created unbound here and bound to the app in `create_app`."""

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login = LoginManager()


def budget_key(*identifiers: str) -> tuple[str, ...]:
    """Return `identifiers` for a budget counted directly in the rate-limit store (`limiter.limiter`), led by
    RATELIMIT_KEY_PREFIX as Flask-Limiter's own counters are, so that portals sharing one Redis keep apart."""
    from flask import current_app
    return (current_app.config["RATELIMIT_KEY_PREFIX"], *identifiers)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection (no-op elsewhere)."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def select_locale():
    """Return the visitor's language: the one they chose (a cookie), else the office default.

    The browser's language is not used: many residents' phones are set to English but they read Indonesian.
    """
    from flask import current_app

    config = current_app.config  # read once: every page asks, cached pages too (their key holds the language)
    cookies, name = request.cookies, config["LANGUAGE_COOKIE"]
    chosen = cookies[name] if name in cookies else None  # Werkzeug's `.get` raises and catches a KeyError on a miss
    if chosen in config["LANGUAGES"]:
        return chosen
    return config["BABEL_DEFAULT_LOCALE"]
