"""A per-process cache of whole public pages, already compressed.

Resident pages are the same for everyone who reads them in the same language during the same minute (the
banner counts minutes), until the office changes its data. `@cached_page()` keeps the rendered body with its
gzip and brotli forms, keyed by path, language, the minute (or second) and the revision counters, so a
repeated request costs a dictionary lookup instead of queries, templates and compression.

Only anonymous, plain GET requests without a query string that end in a 200 without cookies are cached;
htmx requests always reach the view (they want fragments). A page with a form (`csrf=True`) is cached with a
placeholder where its CSRF token was, and each visitor gets their own token put back: into the plain body, or
into a gzip stream compressed once around the placeholder (`SplicedGzip`), so no response compresses anything.
"""

from __future__ import annotations

import gzip
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps
from typing import Callable

import brotli
from flask import Response, current_app, g, request
from werkzeug.http import parse_accept_header

from .extensions import select_locale
from .services import calendar, revisions
from .sessions import csrf_token

CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
# gzip.compress(..., mtime=0)'s header: deflate, no flags, mtime 0, no extra flags, unknown OS.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
STORED_BLOCK_MAX = 0xFFFF
ACCEPT_MEMO_SIZE = 256
_ACCEPTED: dict[str | None, tuple[bool, bool]] = {}  # Accept-Encoding header -> (brotli, gzip) accepted


def _deflate(data: bytes, flush: int) -> bytes:
    """Return `data` as raw deflate blocks (level 6, like the gzip bodies), ended by `flush`.

    Z_SYNC_FLUSH leaves the stream open and ends it on a byte boundary, so more blocks can follow;
    Z_FINISH marks the last block.
    """
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(flush)


def _stored_blocks(data: bytes) -> bytes:
    """Return `data` as non-final stored (uncompressed) deflate blocks, each up to 65,535 bytes.

    A stored block is a byte 0 (not final, type 00, padded to the byte boundary), its length and the length's
    complement (little-endian), then the bytes as they are; it must start on a byte boundary.
    """
    blocks = []
    for start in range(0, len(data), STORED_BLOCK_MAX):
        chunk = data[start:start + STORED_BLOCK_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


@dataclass(frozen=True)
class SplicedGzip:
    """A personal page's gzip stream, compressed once, with a gap for the visitor's token at each placeholder.

    A deflate stream is a sequence of blocks. The text before the first placeholder is compressed once and
    flushed to a byte boundary; each token goes in per response as a stored block; the text after each
    placeholder was compressed on its own (it refers to nothing before it, whose length the token changes),
    the last part closing the stream. A response costs a CRC of its body and a join, not a compression. The
    price is in bytes, because the text after a token cannot refer back to the text before it: the tracking
    form is 1.67 KB instead of 1.55 KB.
    """

    head: bytes  # gzip header + the text before the first placeholder, deflated
    head_crc: int
    head_size: int
    parts: tuple[tuple[bytes, bytes], ...]  # what follows each placeholder: (its text, that text deflated)

    @classmethod
    def of(cls, body: bytes) -> "SplicedGzip":
        """Return the spliced stream of `body`; raises ValueError when `body` holds no CSRF_PLACEHOLDER."""
        head, *rest = body.split(CSRF_PLACEHOLDER)
        if not rest:
            raise ValueError("no CSRF placeholder in the page")
        flushes = [zlib.Z_SYNC_FLUSH] * (len(rest) - 1) + [zlib.Z_FINISH]  # only the last part ends the stream
        parts = tuple((text, _deflate(text, flush)) for text, flush in zip(rest, flushes))
        return cls(GZIP_HEADER + _deflate(head, zlib.Z_SYNC_FLUSH), zlib.crc32(head), len(head), parts)

    def with_token(self, token: bytes) -> bytes:
        """Return the gzip file of the body with `token` in place of every placeholder."""
        token_block = _stored_blocks(token)
        pieces, crc, size = [self.head], self.head_crc, self.head_size
        for text, deflated in self.parts:
            pieces += (token_block, deflated)
            crc = zlib.crc32(text, zlib.crc32(token, crc))
            size += len(token) + len(text)
        pieces.append(struct.pack("<II", crc, size & 0xFFFFFFFF))  # the gzip trailer: CRC-32 and length
        return b"".join(pieces)


def _accepted_encodings() -> tuple[bool, bool]:
    """Return whether the client accepts brotli and whether it accepts gzip, as werkzeug reads its header.

    Clients send few different Accept-Encoding headers, and parsing one costs a cached page as much as a
    tenth of its time, so each header's answer is kept (up to ACCEPT_MEMO_SIZE of them).
    """
    header = request.environ.get("HTTP_ACCEPT_ENCODING")
    accepted = _ACCEPTED.get(header)
    if accepted is None:
        parsed = parse_accept_header(header)  # what `request.accept_encodings` holds
        accepted = (bool(parsed["br"]), bool(parsed["gzip"]))  # a quality above 0
        if len(_ACCEPTED) < ACCEPT_MEMO_SIZE:
            _ACCEPTED[header] = accepted
    return accepted


@dataclass(frozen=True)
class CachedPage:
    """A rendered response: its bodies (plain, gzip, brotli), type and the headers worth keeping.

    A personal page (one holding CSRF_PLACEHOLDER where each visitor's token goes) keeps its plain body with
    the placeholder and, instead of finished gzip and brotli bodies, a `SplicedGzip`.
    """

    plain: bytes
    gzip: bytes
    br: bytes
    mimetype: str
    headers: tuple[tuple[str, str], ...]
    spliced: SplicedGzip | None = None

    @property
    def personal(self) -> bool:
        """Return True when each response gets the visitor's own CSRF token."""
        return self.spliced is not None

    @classmethod
    def from_response(cls, response: Response, body: bytes | None = None, personal: bool = False) -> "CachedPage":
        """Return the cache entry for an uncompressed `response` (with `body` instead of its own, if given)."""
        body = response.get_data() if body is None else body
        kept = tuple((name, value) for name, value in response.headers.items()
                     if name in ("Cache-Control", "Access-Control-Allow-Origin"))
        if personal:
            return cls(body, b"", b"", response.mimetype, kept, SplicedGzip.of(body))
        return cls(body, gzip.compress(body, 6, mtime=0), brotli.compress(body, quality=5),
                   response.mimetype, kept)

    def to_response(self) -> Response:
        """Return a response with the body the client accepts best (a personal page gets the visitor's token)."""
        brotli_ok, gzip_ok = _accepted_encodings()
        if self.personal:
            token = csrf_token().encode()
            if gzip_ok:  # gzip, not brotli: only a gzip stream is kept open for the token
                body, encoding = self.spliced.with_token(token), "gzip"
            else:
                body, encoding = self.plain.replace(CSRF_PLACEHOLDER, token), None
        elif brotli_ok:
            body, encoding = self.br, "br"
        elif gzip_ok:
            body, encoding = self.gzip, "gzip"
        else:
            body, encoding = self.plain, None
        response = Response(body, mimetype=self.mimetype, headers=list(self.headers))
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.headers["Vary"] = "Accept-Encoding"  # the kept headers hold no Vary; `response.vary` would parse
        return response


class PageCache:
    """A bounded least-recently-used map of cache keys to pages, safe across threads."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedPage | None:
        """Return the page stored under `key`, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, page: CachedPage) -> None:
        """Store `page` under `key`, dropping the least recently used page beyond the size."""
        with self._lock:
            self._entries[key] = page
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def _cache() -> PageCache:
    """Return this app's page cache."""
    cache = current_app.extensions.get("loket_pages")
    if cache is None:
        cache = current_app.extensions["loket_pages"] = PageCache(current_app.config["PAGE_CACHE_SIZE"])
    return cache


def _cacheable_request(csrf: bool) -> bool:
    """Return True for a plain GET the cache may answer.

    A page whose only personal part is the CSRF token is served from the cache with or without a session;
    any other page only to visitors without one (their session may change what it shows).
    """
    # Every `request.` and `current_app.` goes through a context-local proxy, and `request.headers` wraps the
    # environ on each test: on a cached page these checks cost more than the cache look-up, so the objects are
    # taken once and the headers read from the WSGI environ (HX-Request is HTTP_HX_REQUEST there).
    app, req = current_app._get_current_object(), request._get_current_object()
    environ = req.environ
    return (app.config["PAGE_CACHE_SIZE"] > 0 and req.method in ("GET", "HEAD")
            and not req.query_string and "HTTP_HX_REQUEST" not in environ
            and "HTTP_AUTHORIZATION" not in environ
            and (csrf or app.config["SESSION_COOKIE_NAME"] not in req.cookies))


def cached_page(per: str = "minute", csrf: bool = False) -> Callable:
    """Return a decorator that serves a view from the page cache; `per` is "minute" or "second".

    With `csrf=True` the page may carry a form: it is cached with its CSRF token taken out."""
    width = 16 if per == "minute" else 19  # characters of an ISO timestamp: to the minute, or the second

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _cacheable_request(csrf):
                return view(*args, **kwargs)
            key = (request.path, select_locale(), calendar.now().isoformat()[:width], revisions.snapshot())
            page = _cache().get(key)
            if page is None:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                token = g.get("csrf_token")  # Flask-WTF's signed token, when the page rendered a form
                if token is not None:
                    body = response.get_data()
                    if not csrf or token.encode() not in body:
                        return response
                    page = CachedPage.from_response(response, body.replace(token.encode(), CSRF_PLACEHOLDER), True)
                elif "Set-Cookie" in response.headers:
                    return response
                else:
                    page = CachedPage.from_response(response)
                _cache().put(key, page)
                return response if page.personal else page.to_response()
            return page.to_response()

        return wrapper

    return decorator
