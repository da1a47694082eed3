"""One log line per request, with a request id, its status and duration; the id also goes back in the
`X-Request-ID` header and on error pages, so a resident can quote it and staff can find the line.

A proxy's `X-Request-ID` is kept when it looks like an id (letters, digits and dashes), so one id follows a
request from the proxy's log to Loket's.

It is WSGI middleware (`RequestLog`), like `security.ResponseHeaders`: it sees every request, those a hook
refuses and those that fail included, times the whole of Flask's work, and costs a few microseconds where a
pair of Flask hooks on Werkzeug's `Headers` cost about thirty on every request (bench/run.py).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable

from flask import Flask, g, has_request_context, request

log = logging.getLogger("loket.requests")
_INCOMING = re.compile(r"[A-Za-z0-9-]{8,64}")
ENVIRON_KEY = "loket.request_id"


def request_id() -> str:
    """Return this request's id: the one `RequestLog` gave it, else (outside a served request, e.g. in a CLI or
    a test's request context) one made on first use and kept in `g`."""
    if has_request_context():
        given = request.environ.get(ENVIRON_KEY)
        if given:
            return given
    if "request_id" not in g:
        g.request_id = secrets.token_hex(6)
    return g.request_id


class RequestLog:
    """WSGI middleware that gives each request its id (the proxy's, or 12 random hex digits) in the environ,
    adds it to the response as `X-Request-ID`, and logs "METHOD /path STATUS 12.3ms id=ID" at INFO when the
    response starts."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        given = environ[ENVIRON_KEY] = incoming if _INCOMING.fullmatch(incoming) else secrets.token_hex(6)
        started = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            headers.append(("X-Request-ID", given))
            if log.isEnabledFor(logging.INFO):
                milliseconds = (time.perf_counter() - started) * 1000
                log.info("%s %s %s %.1fms id=%s", environ.get("REQUEST_METHOD", ""), _path(environ),
                         status.split(" ", 1)[0], milliseconds, given)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _path(environ: dict) -> str:
    """Return the request's path as Flask's `request.path` reads it (WSGI carries it as latin-1)."""
    raw = environ.get("PATH_INFO", "")
    return "/" + raw.encode("latin-1", "replace").decode("utf-8", "replace").lstrip("/")


def init_app(app: Flask) -> None:
    """Log every request through `RequestLog`, at the level LOG_LEVEL names, to stderr unless logging is
    configured already. Call it before any other middleware is added, so that `X-Request-ID` is set first."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()  # stderr: the journal under systemd, gunicorn's error log otherwise
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)
    log.setLevel(app.config["LOG_LEVEL"])
    app.wsgi_app = RequestLog(app.wsgi_app)
