"""Loket: the online counter of a regency civil-registration office."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from .templatecache import BYTECODE_CACHE


class Portal(Flask):
    """Flask, with `ensure_sync` remembering its answer per function, and templates compiled once per process.

    Flask asks `ensure_sync` for every hook on every request (a dozen per page) and each time inspects the
    function's code flags; Loket has no async views, and a function's answer never changes. Flask documents the
    method as one to override, and `jinja_options` as the way to configure the Jinja environment (here: the
    process-wide bytecode cache of `portal/templatecache.py`).
    """

    jinja_options = {**Flask.jinja_options, "bytecode_cache": BYTECODE_CACHE}

    def ensure_sync(self, func: Callable) -> Callable:
        """Return `func` itself, or a synchronous wrapper of a coroutine function (Flask's answer, kept)."""
        known = self.__dict__.setdefault("_sync_functions", {})
        try:
            return known[func]
        except KeyError:
            known[func] = answer = super().ensure_sync(func)
            return answer
        except TypeError:  # an unhashable callable: ask Flask every time
            return super().ensure_sync(func)


def create_app(test_config: dict | None = None) -> Flask:
    """Return the configured portal (a `Portal`): settings, extensions, blueprints, error pages and CLI commands.

    The instance folder (the SQLite database, the secret key, scans by default) is `instance/` beside the
    package, or LOKET_INSTANCE_PATH: each app server of an office keeps its own.
    Raises ValueError when a setting from the environment cannot be parsed.
    """
    import os
    app = Portal(__name__, instance_relative_config=True, static_folder=None,
                 instance_path=os.environ.get("LOKET_INSTANCE_PATH") or None)

    from .config import load_config
    load_config(app, test_config)
    app.json.sort_keys = False  # keep /api/status in the documented order
    from . import requestlog
    requestlog.init_app(app)  # the innermost middleware: every request gets its id and its log line

    from .extensions import babel, compress, csrf, db, htmx, limiter, login, migrate, select_locale
    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR", _migrations_dir()))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)
    _compress_unless_encoded(app, compress)
    htmx.init_app(app)
    login.init_app(app)
    limiter.init_app(app)
    _limit_only_decorated_views(app, limiter)

    from . import assets, banner, errors, practice, security, sessions, templating
    practice.init_app(app)  # before anything reads the clock
    sessions.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    banner.init_app(app)
    errors.init_app(app)

    from .admin import bp as admin_bp
    from .api.routes import bp as api_bp
    from .health import bp as health_bp
    from .apply.routes import bp as apply_bp
    from .auth import guard
    from .auth.routes import bp as auth_bp
    from .board.routes import bp as board_bp
    from .counter.routes import bp as counter_bp
    from .kiosk.routes import bp as kiosk_bp
    from .practice.routes import bp as practice_bp
    from .public.routes import bp as public_bp
    from .queue.routes import bp as queue_bp
    from .track import bp as track_bp
    from .staff import bp as staff_bp
    from .verify.routes import bp as verify_bp
    from .village import bp as village_bp
    guard.init_app(app)
    for blueprint in (health_bp, public_bp, api_bp, apply_bp, track_bp, verify_bp, queue_bp, kiosk_bp, board_bp, auth_bp,
                      village_bp, counter_bp, staff_bp, admin_bp, practice_bp):
        app.register_blueprint(blueprint)

    from . import cli
    cli.init_app(app)
    return app


def _limit_only_decorated_views(app: Flask, limiter) -> None:
    """Drop Flask-Limiter's check of every request when no default or application-wide limit is set.

    That hook costs about a third of a cached page even when it has nothing to check (0.1 to 0.18 ms of
    0.3 to 0.5 ms for `/` and `/lacak` through the test client). Loket limits chosen views with
    `@limiter.limit(...)`, which checks inside the decorated view, so the hook is not needed; setting
    RATELIMIT_DEFAULT or RATELIMIT_APPLICATION (or limiting a whole blueprint) keeps it. Flask-Limiter 3 had a
    public switch for this, `Limiter(auto_check=False)`; version 4 removed it, so this is the one place that
    names the extension's hook. `tests/web/test_rate_limit.py` proves decorated limits still apply.
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def _compress_unless_encoded(app: Flask, compress) -> None:
    """Compress responses with Flask-Compress, except those that come compressed already: the page cache's
    (see `pagecache`) and static files'. Its own hook (off: COMPRESS_REGISTER in `config.Defaults`) checks the
    encoding last, after parsing the request's headers and the response's type, on every cached page."""

    @app.after_request
    def compress_response(response):
        """Return `response`, compressed when the client accepts it and it is worth it."""
        if "Content-Encoding" in response.headers:
            return response
        return compress.after_request(response)


def _migrations_dir() -> str:
    """Return the path of the project's `migrations/` folder (beside the package, not the working dir)."""
    from pathlib import Path
    return str(Path(__file__).resolve().parent.parent / "migrations")
