"""How a generated PDF leaves the portal: inline, named, and never kept by a shared cache.

`private_file` is for a resident's stored scan or signed PDF: never cached, never sniffed, sandboxed.
`pdf_response` is for documents made for this request (slips with a PIN, manifests, print runs): nothing may
store them. `revalidated_pdf` is for a document that only changes when its application does (receipts): the
browser keeps it and asks again with its ETag, and gets a 304 without a render when it is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, make_response, request

from .security import SANDBOXED_FILE_POLICY


def pdf_response(body: bytes, filename: str, cache: str = "private, no-store") -> Response:
    """Return `body` as an inline PDF called `filename`, with `cache` as its Cache-Control."""
    response = make_response(body)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    return response


def revalidated_pdf(etag: str, render: Callable[[], bytes], filename: str) -> Response:
    """Return a 304 when the browser already holds `etag`, else the PDF `render()` returns, called `filename`;
    either way tagged `etag` (prefixed in practice mode, so a browser's real receipt never answers for a
    practice one, or the reverse) and kept by the browser only until it asks again."""
    if current_app.config.get("PRACTICE"):
        etag = f"latihan-{etag}"
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = pdf_response(render(), filename)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def private_file(body: bytes, mimetype: str, filename: str, attachment: bool = False,
                 policy: str = SANDBOXED_FILE_POLICY) -> Response:
    """Return a stored file's `body` called `filename`: shown in the browser, or downloaded when `attachment`;
    never cached, never sniffed, and sandboxed by the Content-Security-Policy `policy`."""
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    return response
