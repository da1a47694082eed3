"""Security headers on every response and cookie settings that fit the deployment."""

from __future__ import annotations

from flask import Flask, Response, request
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

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=(), usb=()",
}


HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Trust the configured proxies and add the security headers to every response (HSTS over HTTPS)."""
    proxies = app.config["PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        """Return `response` with the headers of `HEADERS` set (a view may have set stricter ones)."""
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
