"""A per-process cache of whole public pages, already compressed.

Resident pages are the same for everyone who reads them in the same language during the same minute (the
banner counts minutes), until the office changes its data. `@cached_page()` keeps the rendered body with its
gzip and brotli forms, keyed by path, language, the minute (or second) and the revision counters, so a
repeated request costs a dictionary lookup instead of queries, templates and compression.

Only anonymous, plain GET requests that end in a 200 without cookies are cached, without a query string
unless the page names the arguments it takes (`query`); htmx requests always reach the view (they want
fragments). A page with a form (`csrf=True`) is cached with a placeholder where its CSRF token was, and each
visitor gets their own token put back. Such a page is kept gzipped in pieces — the parts around the token,
each compressed once and ended with a full flush so that independently compressed pieces can follow — and a
response compresses only the token itself and joins the pieces (`spliced_gzip`): a visitor's page costs a few
microseconds instead of a whole gzip run.
"""

from __future__ import annotations

import gzip
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Callable
from urllib.parse import parse_qsl

import brotli
from flask import Response, current_app, g, request
from werkzeug.http import parse_accept_header

from .extensions import select_locale
from .services import calendar, revisions
from .sessions import csrf_token


@dataclass(frozen=True)
class CachedPage:
    """A rendered response: its bodies (plain, gzip, brotli), type and the headers worth keeping."""

    plain: bytes
    gzip: bytes
    br: bytes
    mimetype: str
    headers: tuple[tuple[str, str], ...]
    personal: bool = False  # holds CSRF_PLACEHOLDER where each visitor's token goes
    gzip_pieces: tuple[bytes, ...] = ()  # a personal page's parts around the token, gzipped (see spliced_gzip)

    @classmethod
    def from_response(cls, response: Response, body: bytes | None = None, personal: bool = False) -> "CachedPage":
        """Return the cache entry for an uncompressed `response` (with `body` instead of its own, if given)."""
        body = response.get_data() if body is None else body
        kept = tuple((name, value) for name, value in response.headers.items()
                     if name in ("Cache-Control", "Access-Control-Allow-Origin", "X-Robots-Tag"))
        if personal:
            return cls(body, b"", b"", response.mimetype, kept, True, gzip_pieces(body.split(CSRF_PLACEHOLDER)))
        return cls(body, gzip.compress(body, 6, mtime=0), brotli.compress(body, quality=5),
                   response.mimetype, kept)

    def to_response(self) -> Response:
        """Return a response with the body the client accepts best (a personal page gets its own token)."""
        brotli_ok, gzip_ok = accepted_encodings(request.headers.get("Accept-Encoding", ""))
        if self.personal:
            token = csrf_token().encode()
            if gzip_ok:  # gzip, not brotli: only gzip streams can be spliced
                body, encoding = spliced_gzip(self.gzip_pieces, self.plain, token), "gzip"
            else:
                body, encoding = self.plain.replace(CSRF_PLACEHOLDER, token), None
        elif brotli_ok:
            body, encoding = self.br, "br"
        elif gzip_ok:
            body, encoding = self.gzip, "gzip"
        else:
            body, encoding = self.plain, None
        # One list handed to the constructor: cheaper than setting the headers one by one afterwards.
        headers = [*self.headers, ("Vary", "Accept-Encoding")]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        return Response(body, mimetype=self.mimetype, headers=headers)


@lru_cache(maxsize=128)
def accepted_encodings(header: str) -> tuple[bool, bool]:
    """Return whether an `Accept-Encoding` value accepts brotli and gzip (q > 0), parsed once per value:
    clients send few distinct values, and parsing one costs more than the rest of a cached response."""
    accepted = parse_accept_header(header)
    return bool(accepted["br"]), bool(accepted["gzip"])


def gzip_pieces(parts: list[bytes]) -> tuple[bytes, ...]:
    """Return the pieces of a gzip stream of `parts` joined by tokens still to come: the first piece starts
    with the gzip header, every piece ends with a full flush (byte-aligned; nothing after it refers back),
    and the last one then ends the deflate stream with an empty final block. The gzip trailer is left out."""
    pieces = []
    for index, part in enumerate(parts):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15 if index else 31)  # 31: with the gzip header
        pieces.append(compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH))
    pieces[-1] += zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # the final, empty block
    return tuple(pieces)


def spliced_gzip(pieces: tuple[bytes, ...], plain: bytes, token: bytes) -> bytes:
    """Return the gzip of `plain` with every CSRF placeholder replaced by `token`, from its `gzip_pieces`.

    The token goes between the pieces as a stored deflate block (RFC 1951, 3.2.4): a header byte that is
    zero (not the last block, stored, padded to the byte), its length and the length's complement, then the
    token itself. Every piece ends byte-aligned, so no compressor is set up per response. The gzip trailer is
    the CRC-32 and length of the whole page (RFC 1952).
    """
    token_piece = struct.pack("<BHH", 0, len(token), len(token) ^ 0xFFFF) + token
    crc, length = 0, 0
    parts = plain.split(CSRF_PLACEHOLDER)
    for index, part in enumerate(parts):
        crc, length = zlib.crc32(part, crc), length + len(part)
        if index < len(parts) - 1:
            crc, length = zlib.crc32(token, crc), length + len(token)
    return token_piece.join(pieces) + struct.pack("<II", crc, length & 0xFFFFFFFF)


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


def _cacheable_request(csrf: bool, query: tuple[str, ...] = ()) -> bool:
    """Return True for a plain GET the cache may answer.

    A page whose only personal part is the CSRF token is served from the cache with or without a session;
    any other page only to visitors without one (their session may change what it shows). A query string is
    allowed only when each of its arguments is one of `query`, given once.
    """
    environ, config = request.environ, current_app.config  # the WSGI variables: no parsing, no proxies
    return (config["PAGE_CACHE_SIZE"] > 0 and environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and (not environ.get("QUERY_STRING") or _only(environ["QUERY_STRING"], query))
            and "HTTP_HX_REQUEST" not in environ and "HTTP_AUTHORIZATION" not in environ
            and (csrf or config["SESSION_COOKIE_NAME"] not in request.cookies))


@lru_cache(maxsize=1024)
def _only(query_string: str, names: tuple[str, ...]) -> bool:
    """Return True when every argument of `query_string` is one of `names` and given once.

    Each distinct query string is parsed once (the booking steps have a few dozen a day), and the request's
    own `request.args` is not parsed at all when the page comes from the cache."""
    given = [name for name, _value in parse_qsl(query_string, keep_blank_values=True)]
    return bool(names) and all(name in names for name in given) and len(set(given)) == len(given)


CSRF_PLACEHOLDER = b"\x00csrf-token\x00"


def cached_page(per: str = "minute", csrf: bool = False, query: tuple[str, ...] = (),
                version: Callable[[], object] | None = None, unless: Callable[[], bool] | None = None) -> Callable:
    """Return a decorator that serves a view from the page cache; `per` is "minute" or "second".

    With `csrf=True` the page may carry a form: it is cached with its CSRF token taken out. `query` names the
    query arguments that make pages of their own (any other argument bypasses the cache); `version()` returns
    what else the page depends on (it is part of the key, read on every request, so it must be cheap), and
    `unless()` True makes this request bypass the cache (what it shows is this visitor's own)."""
    width = 16 if per == "minute" else 19  # characters of an ISO timestamp: to the minute, or the second

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _cacheable_request(csrf, query) or (unless is not None and unless()):
                return view(*args, **kwargs)
            key = (request.path, request.environ.get("QUERY_STRING", "") if query else "", select_locale(),
                   calendar.now().isoformat()[:width], revisions.snapshot(), version() if version else None)
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
