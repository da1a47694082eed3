"""Residents' uploads: decide what a file is from its bytes, refuse what is unsafe, store what is left.

`inspect_upload` takes the raw bytes of one upload and returns a `CleanFile` or raises `UploadRejected`:

- the type comes from the bytes only (JPEG, PNG, WebP or PDF); the name and the browser's type are ignored;
- a photo is refused on its structure before it is decoded (too many pixels, data appended after the
  image, a ZIP archive inside it, a truncated file), then fully decoded and always re-encoded as a fresh
  JPEG (turned upright, flattened on white, at most `max_image_side` pixels, no EXIF, ICC, XMP or
  comments), so nothing the phone or a sender hid in the file is kept;
- a PDF is kept byte for byte, so it is checked instead: not encrypted, no JavaScript, launch actions,
  embedded files or rich media anywhere reachable from its catalogue, a bounded page count, nothing after
  its end.

Data after a photo's end is refused unless the photo's own metadata declares it, as phones do: the extra
images of a Multi-Picture (MPF) JPEG (the HDR gain map of iPhone and Ultra HDR photos), Samsung's SEFH/SEFT
trailer and the video of a motion photo. Whatever it is, it is dropped by the re-encoding.

`UploadStore` keeps clean files under random names in a private folder, outside `static/`.

The package, by concern (each module says more):

- `errors`: `UploadRejected`, `CleanFile` and `rejection_message` (what the resident is told);
- `sniff`: the type from the first bytes, ZIP archives hidden anywhere, padding;
- `layouts`: the structure of a JPEG, PNG or WebP (size, end, MPF index, XMP);
- `trailers`: what a photo's own metadata declares after its end (MPF, motion photos, Samsung);
- `images`: photo inspection and re-encoding;
- `pdfs`: PDF inspection;
- `store`: `UploadStore`.

`inspect_upload`, the dispatcher, is here; everything callers and tests use is importable from here.
"""

from __future__ import annotations

import math

from .errors import CleanFile, UploadRejected, rejection_message
from .images import JPEG_QUALITY, _inspect_image, preview_jpeg
from .layouts import MAX_JPEG_SCANS, MAX_JPEG_SEGMENTS, MAX_PNG_CHUNKS
from .pdfs import MAX_PDF_OBJECTS, _inspect_pdf, pdf_active_content, raw_active_content
from .sniff import MAX_PADDING, MAX_ZIP_CANDIDATES, PADDING_BYTES, _is_heic, contains_zip, sniff
from .store import UploadStore
from .trailers import MAX_VIDEO_BOXES

__all__ = [
    "CleanFile", "UploadRejected", "UploadStore", "inspect_upload", "preview_jpeg", "rejection_message",
    "contains_zip", "pdf_active_content", "raw_active_content", "sniff",
    "MEGABYTE", "MAX_DECODE_BYTES", "PADDING_BYTES", "MAX_PADDING", "MAX_JPEG_SCANS", "MAX_JPEG_SEGMENTS",
    "MAX_ZIP_CANDIDATES",
    "MAX_VIDEO_BOXES", "MAX_PNG_CHUNKS", "MAX_PDF_OBJECTS", "JPEG_QUALITY", "MAX_IMAGE_SIDE", "MIN_IMAGE_SIDE",
    "PREVIEW_SIDE",
    "photo_shrink",
    "os",
]

MEGABYTE = 1024 * 1024
# The most a PNG or WebP may take once decoded: an 8-bit RGB scan of 16 megapixels (A4 at 400 dpi) fits; a
# 25-megapixel 16-bit RGBA image (200 MB, 3.4 s to decode) does not.
MAX_DECODE_BYTES = 48 * MEGABYTE
# A photo is kept at most this long on its long side; a side shorter than the least is refused.
MAX_IMAGE_SIDE = 2000
MIN_IMAGE_SIDE = 600
# What an upload step shows of a stored photo: sharp across a 360 px phone screen at twice its pixel density.
PREVIEW_SIDE = 800


def photo_shrink() -> str:
    """Return what a phone may shrink a photo to before sending it, as `data-shrink` gives it to loket.js:
    "<long side> <least short side> <JPEG quality 0-1>" — what the server keeps anyway, so the shrinking
    loses nothing the server would have kept, and leaves a short side the server accepts.
    """
    return f"{MAX_IMAGE_SIDE} {MIN_IMAGE_SIDE} {JPEG_QUALITY / 100:g}"


def inspect_upload(data: bytes, *, max_bytes: int, min_image_side: int = MIN_IMAGE_SIDE,
                   max_image_side: int = MAX_IMAGE_SIDE,
                   max_pixels: int = 25_000_000, max_jpeg_pixels: int = 80_000_000,
                   max_decode_bytes: int = MAX_DECODE_BYTES, max_pdf_pages: int = 10) -> CleanFile:
    """Return the clean version of the upload `data`: a re-encoded JPEG for a photo, the bytes of a PDF.

    JPEGs may be larger (`max_jpeg_pixels`, room for 50- and 64-megapixel phone cameras) because they are
    decoded at a reduced scale; PNG and WebP are decoded whole, so `max_pixels` and `max_decode_bytes` (their
    samples once decoded: a 16-bit RGBA PNG takes 8 bytes a pixel) keep a worker's time and memory bounded.

    Raises UploadRejected with one of the codes `empty`, `too_large`, `unsupported_type`, `hidden_content`,
    `corrupt_image`, `image_too_many_pixels`, `image_too_small`, `corrupt_pdf`, `pdf_encrypted`,
    `pdf_too_many_pages`, `pdf_active_content`.
    """
    if not data:
        raise UploadRejected("empty")
    if len(data) > max_bytes:
        raise UploadRejected("too_large", limit_mb=max_bytes / MEGABYTE,
                             size_mb=math.ceil(len(data) * 10 / MEGABYTE) / 10)
    kind = sniff(data)
    if kind is None:
        detected = "heic" if _is_heic(data) else None
        raise UploadRejected("unsupported_type", **({"detected": detected} if detected else {}))
    if contains_zip(data):
        raise UploadRejected("hidden_content", found="zip")
    if kind == "pdf":
        return _inspect_pdf(data, max_pages=max_pdf_pages, raw_scan=raw_active_content)
    limit = max_jpeg_pixels if kind == "jpeg" else max_pixels
    return _inspect_image(data, kind, min_side=min_image_side, max_side=max_image_side, max_pixels=limit,
                          max_decode_bytes=max_decode_bytes)
