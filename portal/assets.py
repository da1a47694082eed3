"""Static files under content-hashed names, served pre-compressed with a one-year immutable cache.

`asset_url("css/site.css")` gives `/static/css/site.3f2a1b9c0d.css`. Files are read and compressed once at
start-up (they are few and small), so a request costs a dictionary lookup, and a changed file gets a new
URL, so browsers never keep a stale copy.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, abort, request, url_for

ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".ico"}


@dataclass(frozen=True)
class Asset:
    """One static file: its hashed name, type and bodies (plain, gzip, brotli)."""

    hashed_name: str
    mimetype: str
    plain: bytes
    gzip: bytes | None
    br: bytes | None
    etag: str


class AssetRegistry:
    """The static folder, hashed and compressed."""

    def __init__(self, folder: Path):
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                self._add(path.relative_to(folder).as_posix(), path.read_bytes())

    def _add(self, name: str, body: bytes) -> None:
        digest = hashlib.sha256(body).hexdigest()[:10]
        stem, dot, suffix = name.rpartition(".")
        hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
        compressible = Path(name).suffix in COMPRESSIBLE
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        gzipped, brotlied = _compressed(body) if compressible else (None, None)
        asset = Asset(hashed, mimetype, body, gzipped, brotlied, f'"{digest}"')
        self.by_name[name] = asset
        self.by_hashed[hashed] = asset


@lru_cache(maxsize=256)
def _compressed(body: bytes) -> tuple[bytes, bytes]:
    """Return `body` compressed with gzip and with brotli, both at their highest level.

    Kept per process by content, so a process that makes several apps (the tests, the reloader) compresses
    each file once: brotli's highest level costs about 0.1 s for the whole folder.
    """
    return gzip.compress(body, 9, mtime=0), brotli.compress(body, quality=11)


def init_app(app: Flask) -> None:
    """Load the static folder and register the `/static/<hashed name>` route and the `asset_url` helper."""
    registry = AssetRegistry(Path(app.root_path) / "static")
    app.extensions["loket_assets"] = registry

    @app.route("/static/<path:filename>", endpoint="static")
    def static(filename: str) -> Response:
        """Return a static file by its hashed name; 404 for anything else (an old hash included)."""
        asset = registry.by_hashed.get(filename)
        if asset is None:
            abort(404)
        if request.if_none_match.contains_weak(asset.etag.strip('"')):
            response = Response(status=304)
        else:
            body, encoding = _pick_encoding(asset)
            response = Response(body, mimetype=asset.mimetype)
            if encoding:
                response.headers["Content-Encoding"] = encoding
        response.headers["ETag"] = asset.etag
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    @app.template_global()
    def asset_url(name: str) -> str:
        """Return the URL of the static file `name` under its hashed name; raises KeyError if missing."""
        return url_for("static", filename=registry.by_name[name].hashed_name)


def _pick_encoding(asset: Asset) -> tuple[bytes, str | None]:
    """Return the body the client accepts best (brotli, gzip, plain) and its Content-Encoding."""
    accepted = request.accept_encodings
    if asset.br is not None and accepted["br"]:
        return asset.br, "br"
    if asset.gzip is not None and accepted["gzip"]:
        return asset.gzip, "gzip"
    return asset.plain, None
