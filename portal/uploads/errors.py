"""What inspection hands back: `CleanFile` for an accepted upload, `UploadRejected` for a refused one, and
`rejection_message`, which tells the resident why and what to do next, in the visitor's language (the
messages are written in Indonesian).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _


class UploadRejected(Exception):
    """An upload that is not stored: `code` says why, `params` fills the resident's message."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in sorted(self.params.items()))
        return f"{self.code} ({details})" if details else self.code


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed inspection: `data` is exactly what will be stored."""

    data: bytes
    mimetype: str
    extension: str  # "jpg" or "pdf"
    kind: str  # "image" or "pdf"
    width: int | None
    height: int | None
    pages: int | None
    sha256: str


def rejection_message(error: UploadRejected) -> str:
    """Return what the resident is told about `error`, in the visitor's language, with what to do next.

    Needs an app or request context (Flask-Babel).
    """
    params = error.params
    code = error.code
    if code == "too_many":
        from ..services.calendar import zone_label
        from ..templating import clock_time

        return _("Terlalu banyak unggahan dalam waktu singkat. Kirim lagi setelah pukul %(time)s %(zone)s; "
                 "jawaban yang sudah Anda isi tetap tersimpan.", time=clock_time(params["until"]), zone=zone_label())
    if code == "empty":
        return _("Berkas yang dikirim kosong. Pilih lagi foto atau PDF dokumen Anda, lalu kirim ulang.")
    if code == "too_large":
        return _("Berkas terlalu besar (%(size)s MB; paling besar %(limit)s MB). Kirim foto langsung dari kamera "
                 "ponsel, atau PDF dengan halaman yang diminta saja.",
                 size=_megabytes(params.get("size_mb", 0)), limit=_megabytes(params.get("limit_mb", 0)))
    if code == "unsupported_type" and params.get("detected") == "heic":
        return _("Foto berformat HEIC belum dapat kami terima. Kirim foto JPG: di iPhone pilih Pengaturan > "
                 "Kamera > Format > Paling Kompatibel lalu foto ulang dokumennya, atau kirim tangkapan layarnya.")
    if code == "unsupported_type":
        return _("Jenis berkas ini tidak dapat kami terima. Kirim foto (JPG, PNG, atau WebP) atau berkas PDF.")
    if code == "corrupt_image":
        return _("Foto rusak atau tidak terkirim utuh, sehingga tidak dapat dibuka. Pilih lagi fotonya atau foto "
                 "ulang dokumen, lalu kirim ulang.")
    if code == "image_too_small":
        return _("Foto terlalu kecil untuk dibaca (%(width)s × %(height)s piksel; sisi terpendek paling sedikit "
                 "%(minimum)s piksel). Foto ulang dokumen lebih dekat, dengan cahaya yang cukup.",
                 width=params.get("width"), height=params.get("height"), minimum=params.get("minimum"))
    if code == "image_too_many_pixels":
        return _("Gambar terlalu besar untuk diproses (%(width)s × %(height)s piksel). Kirim foto langsung dari "
                 "kamera ponsel, bukan gambar yang diperbesar atau digabung.",
                 width=params.get("width"), height=params.get("height"))
    if code == "hidden_content":
        return _("Berkas ini berisi data tambahan yang tersembunyi, sehingga demi keamanan tidak kami terima. "
                 "Foto ulang dokumen langsung dengan kamera ponsel, lalu kirim foto itu.")
    if code == "pdf_encrypted":
        return _("PDF ini dikunci dengan kata sandi, sehingga tidak dapat kami periksa. Kirim PDF tanpa kata "
                 "sandi, atau foto dokumennya.")
    if code == "pdf_active_content":
        return _("PDF ini berisi skrip, tindakan otomatis, atau lampiran berkas lain, sehingga demi keamanan "
                 "tidak kami terima. Kirim PDF hasil pindaian biasa, atau foto dokumennya.")
    if code == "pdf_too_many_pages":
        return _("PDF terlalu banyak halamannya (%(pages)s halaman; paling banyak %(limit)s). Kirim hanya halaman "
                 "dokumen yang diminta.", pages=params.get("pages"), limit=params.get("limit"))
    if code == "corrupt_pdf":
        return _("PDF rusak atau tidak dapat dibuka. Simpan atau pindai ulang dokumennya, atau kirim fotonya.")
    return _("Berkas ini tidak dapat kami terima. Kirim foto atau PDF dokumen yang lain.")


def _megabytes(value: float) -> str:
    """Return `value` (MB) with at most one decimal, in the visitor's number format."""
    return format_decimal(value, format="#,##0.#")
