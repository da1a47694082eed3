"""Error pages in the portal's look (HTML) or as JSON under `/api/`."""

from __future__ import annotations

import time

from flask import Flask, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from limits.errors import StorageError as LimitsStorageError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .requestlog import request_id
from .storage import StorageError

STORAGE_RETRY_SECONDS = 120
DATABASE_RETRY_SECONDS = 10


def _messages() -> dict[int, tuple[str, str]]:
    """Return the title and explanation shown for each status code."""
    return {
        400: (_("Permintaan tidak dapat diproses"), _("Ada isian yang tidak kami pahami. Silakan coba lagi.")),
        403: (_("Tidak diizinkan"), _("Anda tidak memiliki akses ke halaman ini.")),
        404: (_("Halaman tidak ditemukan"),
              _("Alamat yang Anda buka tidak ada atau sudah dipindahkan. Periksa kembali alamatnya.")),
        405: (_("Cara membuka halaman tidak sesuai"), _("Silakan kembali ke beranda dan coba lagi.")),
        413: (_("Berkas terlalu besar"), _("Berkas yang dikirim melebihi batas ukuran.")),
        429: (_("Terlalu banyak percobaan"), _("Tunggu sebentar sebelum mencoba lagi.")),
        503: (_("Sistem sedang dipulihkan"),
              _("Data kami sebentar tidak dapat dibuka. Tidak ada yang hilang: yang sudah tersimpan tetap "
                "tersimpan. Coba lagi dalam beberapa detik.")),
        500: (_("Terjadi gangguan"),
              _("Maaf, ada masalah di sistem kami. Data Anda tidak hilang; silakan coba lagi beberapa saat lagi.")),
    }


def init_app(app: Flask) -> None:
    """Render every HTTP error with the error template, or as JSON for the API."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Return the error page (or JSON) with the error's own status code, or the response it carries."""
        if error.response is not None:  # e.g. a rate limit whose view renders its own page
            return error.response
        return _render(error.code or 500, getattr(error, "description", None), error)

    @app.errorhandler(StorageError)
    def storage_error(error: StorageError):
        """Record the failure for supervisors and answer a calm 503: the file was not kept, nothing else was
        lost (every service writes a file before the row that refers to it), try again in a few minutes."""
        from .services import calendar, storage

        storage.record_failure(calendar.now(), f"{request.method} {request.path}", error)
        title = _("Berkas belum dapat disimpan")
        explanation = _("Tempat penyimpanan berkas kami sedang bermasalah, jadi berkas ini belum tersimpan. Jawaban "
                        "yang sudah Anda isi tetap tersimpan. Coba kirim lagi beberapa menit lagi.")
        body, code = _render(503, None, ServiceUnavailable(), retry=_retry_link(), wording=(title, explanation))
        return body, code, {"Retry-After": str(STORAGE_RETRY_SECONDS)}

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    @app.errorhandler(LimitsStorageError)
    def shared_store_unavailable(error: Exception):
        """Answer a calm 503 while the database or the shared rate-limit store (Redis) cannot be reached (a
        restart, a lock held too long): the request's transaction was rolled back, so nothing half-done stays;
        the database pool and the Redis client reconnect by themselves."""
        app.logger.warning("%s unavailable on %s %s id=%s: %s", type(error).__name__, request.method, request.path,
                           request_id(), str(error).splitlines()[0][:200] if str(error) else "")
        from .services.transactions import abandon
        abandon()
        title, explanation = _messages()[503]
        if request.path.startswith("/api/"):
            body = jsonify(error=title, detail=explanation, request_id=request_id())
        else:  # rendered without the context processors: the banner and the signed-in menu read the database
            body = app.jinja_env.get_template("errors/unavailable.html").render(
                title=title, explanation=explanation, retry=_retry_link(), language=str(get_locale()),
                request_id=request_id(),
                office_short_name=app.config["OFFICE_SHORT_NAME"])
        return body, 503, {"Retry-After": str(DATABASE_RETRY_SECONDS), "Cache-Control": "no-store"}

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        """Log an unexpected error and return the 500 page; the details never reach the visitor."""
        app.logger.exception("unhandled error on %s %s id=%s", request.method, request.path, request_id())
        return _render(500, None, InternalServerError())


def error_page(error: HTTPException):
    """Return the standard error page (or JSON) for `error`, for handlers that only sometimes do better."""
    return _render(error.code or 500, getattr(error, "description", None), error)


def _retry_link() -> str | None:
    """Return where "Coba lagi" leads after a failed post: the same address, which shows its form again."""
    return request.path if request.method == "POST" else None


def _render(code: int, description: str | None, error: HTTPException, retry: str | None = None,
            wording: tuple[str, str] | None = None):
    """Return the response for an error `code`: JSON under /api/, else the error page (with a "Coba lagi" link
    to `retry` when given), saying `wording` (title, explanation) or the code's usual words."""
    title, explanation = wording or _messages().get(code, (_("Terjadi kesalahan"), _("Silakan coba lagi.")))
    if code == 429:
        seconds = _retry_after_seconds()
        if seconds and seconds > 90:
            explanation = _("Terlalu banyak percobaan dari perangkat Anda. Coba lagi dalam %(minutes)s menit.",
                            minutes=max(1, round(seconds / 60)))
        elif seconds:
            explanation = _("Terlalu banyak percobaan dari perangkat Anda. Coba lagi dalam %(seconds)s detik.",
                            seconds=seconds)
    if request.path.startswith("/api/"):
        detail = explanation if code >= 500 else (description or explanation)
        return jsonify(error=title, detail=detail, **({"request_id": request_id()} if code >= 500 else {})), code
    return render_template("errors/error.html", code=code, title=title, explanation=explanation,
                           retry=retry, request_id=request_id() if code >= 500 else None), code


def _retry_after_seconds() -> int | None:
    """Return the seconds until the rate limit that was just hit resets, or None when unknown."""
    from .extensions import limiter

    current = limiter.current_limit
    if current is None:
        return None
    return max(1, int(current.reset_at - time.time()) + 1)
