"""Security headers on every response, added at the WSGI level, and trust in the configured proxies."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# Residents' own files (scans, signed PDFs) as the resident or a clerk opens them: nothing but the file itself
# and inline style may load, and `sandbox` keeps any script or form in it from running with the portal's origin.
SANDBOXED_FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=(), usb=()",
}


HSTS = "max-age=31536000; includeSubDomains"
HTMX_VARY = "HX-Request, HX-Target"
_DEFAULTS = tuple((name.lower(), (name, value)) for name, value in HEADERS.items())


class ResponseHeaders:
    """WSGI middleware that completes every response's headers on its way out:

    - the headers of `HEADERS` that the response does not set itself (a view may set stricter ones);
    - `Strict-Transport-Security` over HTTPS (unless the response sets its own);
    - on HTML, `Vary: HX-Request, HX-Target`, because htmx requests may get a fragment instead of the page.

    It works on the plain list of header pairs that the response hands to the server, so it costs a few
    microseconds where the same work as Flask `after_request` hooks on Werkzeug's `Headers` cost about twenty,
    on every request (bench/run.py).
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        secure = environ.get("wsgi.url_scheme") == "https"

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            return start_response(status, complete(headers, secure), exc_info)

        return self.app(environ, start)


def complete(headers: list[tuple[str, str]], secure: bool) -> list[tuple[str, str]]:
    """Return `headers` (changed in place) with what `ResponseHeaders` adds; see there."""
    present: dict[str, int] = {}
    for index, (name, _) in enumerate(headers):
        present[name.lower()] = index
    headers.extend(pair for key, pair in _DEFAULTS if key not in present)
    if secure and "strict-transport-security" not in present:
        headers.append(("Strict-Transport-Security", HSTS))
    content_type = present.get("content-type")
    if content_type is not None and headers[content_type][1].startswith("text/html"):
        vary = present.get("vary")
        if vary is None:
            headers.append(("Vary", HTMX_VARY))
        elif "HX-Target" not in headers[vary][1]:
            headers[vary] = ("Vary", f"{headers[vary][1]}, {HTMX_VARY}")
    return headers


def init_app(app: Flask) -> None:
    """Complete every response's headers (`ResponseHeaders`) and trust the configured proxies."""
    app.wsgi_app = ResponseHeaders(app.wsgi_app)
    proxies = app.config["PROXIES"]
    if proxies:  # outermost, so that the scheme it restores is the one `ResponseHeaders` reads
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
