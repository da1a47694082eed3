"""One log line per request, with a request id, its status and duration; the id also goes back in the
`X-Request-ID` header and on error pages, so a resident can quote it and staff can find the line.

A proxy's `X-Request-ID` is kept when it looks like an id (letters, digits and dashes), so one id follows a
request from the proxy's log to Loket's.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, g, request

log = logging.getLogger("loket.requests")
_INCOMING = re.compile(r"[A-Za-z0-9-]{8,64}")


def request_id() -> str:
    """Return this request's id (made on first use outside a request's normal start, e.g. in a CLI)."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(6)
    return g.request_id


def init_app(app: Flask) -> None:
    """Register the start and end of every request: an id, then one log line. Register it before any other
    hook, so a request refused by another hook is logged too."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()  # stderr: the journal under systemd, gunicorn's error log otherwise
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)
    log.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _INCOMING.fullmatch(incoming) else secrets.token_hex(6)
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = request_id()
        started = g.get("request_started")
        milliseconds = (time.perf_counter() - started) * 1000 if started else 0.0
        log.info("%s %s %s %.1fms id=%s", request.method, request.path, response.status_code, milliseconds,
                 request_id())
        return response
