"""A test client that speaks real HTTP to a running server (gunicorn) but looks like Flask's, so the helpers
written for Flask's test client (apply_helpers, staff_helpers) drive a real server too.

It keeps cookies like a browser that visits one address (a load balancer in front of several app servers is
one address): `retarget(port)` sends the next requests to another server with the same cookies.
"""

from __future__ import annotations

import http.client
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlencode


class Response:
    """What Flask's test response offers the helpers: status, headers, body."""

    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status_code, self.headers, self.data = status, headers, body

    @property
    def mimetype(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";", 1)[0]

    def get_data(self, as_text: bool = False):
        return self.data.decode("utf-8", "replace") if as_text else self.data


class HttpClient:
    """GET and POST to 127.0.0.1:`port`, with cookies, never following redirects."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def retarget(self, port: int) -> HttpClient:
        """Send the next requests to the server on `port`, with the same cookies; return self."""
        self.port = port
        return self

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self._request("GET", path, None, headers or {})

    def post(self, path: str, data: dict | None = None, content_type: str | None = None,
             follow_redirects: bool = False, headers: dict | None = None) -> Response:
        assert not follow_redirects, "HttpClient never follows redirects"
        fields = data or {}
        if content_type == "multipart/form-data":
            body, content_type = _multipart(fields)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self._request("POST", path, body, {"Content-Type": content_type, **(headers or {})})

    def _request(self, method: str, path: str, body: bytes | None, headers: dict) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            if self.cookies:
                headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
                           **headers}
            connection.request(method, path, body, headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response


def _multipart(fields: dict) -> tuple[bytes, str]:
    """Encode `fields` (strings, or (file object, filename) pairs) as multipart/form-data."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            stream, filename = value
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + stream.read() + b"\r\n")
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
