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
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import struct
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import ExifTags, Image, ImageFile, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MEGABYTE = 1024 * 1024

# Bytes after an image's end (or a PDF's last %%EOF) that are padding, not content: NUL, 0xFF and ASCII
# whitespace, at most this many.
PADDING_BYTES = b"\x00\xff \t\r\n"
MAX_PADDING = 4096

# A progressive JPEG has about ten scans; thousands make the decoder spin (a known denial of service).
MAX_JPEG_SCANS = 100
# A phone photo has a few dozen marker segments; a file of nothing but tiny ones only costs parsing time.
MAX_JPEG_SEGMENTS = 1000
# More candidate ZIP signatures than this is not chance: refuse without checking each one.
MAX_ZIP_CANDIDATES = 64
# A motion photo's video has a handful of top-level boxes.
MAX_VIDEO_BOXES = 1000
# A real PNG has a few hundred chunks; millions of empty ones only cost parsing time.
MAX_PNG_CHUNKS = 100_000
# A ten-page scan has a few hundred objects; walking more than this is not worth it for a document.
MAX_PDF_OBJECTS = 100_000

JPEG_QUALITY = 85


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


def inspect_upload(data: bytes, *, max_bytes: int, min_image_side: int = 600, max_image_side: int = 2000,
                   max_pixels: int = 40_000_000, max_pdf_pages: int = 10) -> CleanFile:
    """Return the clean version of the upload `data`: a re-encoded JPEG for a photo, the bytes of a PDF.

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
        return _inspect_pdf(data, max_pages=max_pdf_pages)
    return _inspect_image(data, kind, min_side=min_image_side, max_side=max_image_side, max_pixels=max_pixels)


# --- Type and hidden archives ---------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """Return "jpeg", "png", "webp" or "pdf" from the first bytes of `data`, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def _is_heic(data: bytes) -> bool:
    """Return True when `data` starts like a HEIC/HEIF photo (what iPhones take by default)."""
    return data[4:8] == b"ftyp" and data[8:12] in {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis",
                                                   b"mif1", b"msf1"}


_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_ZIP_METHODS = {0, 1, 6, 8, 9, 12, 14, 93, 95, 96, 97, 98, 99}


def contains_zip(data: bytes) -> bool:
    """Return True when a ZIP local-file header or end-of-archive record appears anywhere in `data`.

    The four signature bytes alone turn up by chance in about one large photo in a few hundred (compressed
    data is close to random), so a hit counts only when the fields after it are plausible too.
    """
    for signature, plausible in ((_ZIP_LOCAL, _plausible_zip_local), (_ZIP_END, _plausible_zip_end)):
        start = data.find(signature)
        candidates = 0
        while start >= 0:
            candidates += 1
            if candidates > MAX_ZIP_CANDIDATES or plausible(data, start):
                return True  # a real header, or the signature everywhere: made on purpose
            start = data.find(signature, start + 1)
    return False


def _plausible_zip_local(data: bytes, at: int) -> bool:
    """Return True when the bytes at `at` read as a ZIP local-file header with a name."""
    if at + 30 > len(data):
        return False
    version, _flags, method = struct.unpack_from("<HHH", data, at + 4)
    name_length = struct.unpack_from("<H", data, at + 26)[0]
    return version <= 63 and method in _ZIP_METHODS and 0 < name_length <= 1024 and \
        at + 30 + name_length <= len(data)


def _plausible_zip_end(data: bytes, at: int) -> bool:
    """Return True when the bytes at `at` read as a ZIP end-of-central-directory record of one disk."""
    if at + 22 > len(data):
        return False
    disk, directory_disk, entries_here, entries = struct.unpack_from("<HHHH", data, at + 4)
    return disk == 0 and directory_disk == 0 and entries_here == entries


def _is_padding(data: bytes) -> bool:
    """Return True when `data` is empty or a little padding (NUL, 0xFF, whitespace)."""
    return len(data) <= MAX_PADDING and not data.strip(PADDING_BYTES)


# --- Images ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """What an image's structure says: its declared size and where the image ends."""

    width: int
    height: int
    end: int
    mpf_base: int | None = None  # JPEG: where the MPF index's TIFF header starts
    xmp: bytes = b""  # JPEG: the XMP packet


def _inspect_image(data: bytes, kind: str, *, min_side: int, max_side: int, max_pixels: int) -> CleanFile:
    """Return the re-encoded JPEG of the photo `data` (of `kind` jpeg/png/webp); raises UploadRejected."""
    layout = {"jpeg": _jpeg_layout, "png": _png_layout, "webp": _webp_layout}[kind](data)
    if not _declared_trailer(data, layout, kind):
        raise UploadRejected("hidden_content", found="trailing data")
    # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that; staying under its limit as
    # well as ours means neither can happen, without touching Pillow's global setting or warning filters.
    limit = max_pixels if Image.MAX_IMAGE_PIXELS is None else min(max_pixels, Image.MAX_IMAGE_PIXELS)
    if layout.width * layout.height > limit:
        raise UploadRejected("image_too_many_pixels", width=layout.width, height=layout.height)
    try:
        with Image.open(BytesIO(data), formats=[{"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[kind]]) as image:
            if image.width * image.height > limit:
                raise UploadRejected("image_too_many_pixels", width=image.width, height=image.height)
            width, height = image.size
            if kind == "jpeg" and max(width, height) > max_side:
                # Let libjpeg decode at 1/2, 1/4 or 1/8 when that still leaves max_side pixels: a quarter
                # of the memory and time for a typical 12-megapixel photo.
                scale = max(width, height) / max_side
                image.draft("RGB", (math.ceil(width / scale), math.ceil(height / scale)))
            # Decode everything, first: a truncated or damaged file fails here. (Reading EXIF before could
            # load a PNG as a side effect and swallow the error, leaving a half-decoded image.)
            # WeasyPrint turns Pillow's process-wide LOAD_TRUNCATED_IMAGES on when it is imported (for the
            # receipts); a damaged upload must still fail, so it is turned off again here.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            image.load()
            if _orientation(image) in {5, 6, 7, 8}:
                width, height = height, width
            if min(width, height) < min_side:
                raise UploadRejected("image_too_small", width=width, height=height, minimum=min_side)
            clean = _upright_rgb(image)
    except UploadRejected:
        raise
    except Image.DecompressionBombError as error:
        raise UploadRejected("image_too_many_pixels", width=layout.width, height=layout.height) from error
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, ... for a bad file
        raise UploadRejected("corrupt_image") from error
    if max(clean.size) > max_side:
        ratio = max_side / max(clean.size)
        size = (max(1, round(clean.width * ratio)), max(1, round(clean.height * ratio)))
        clean = clean.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    clean.info = {}  # Pillow would otherwise carry a comment over
    output = BytesIO()
    clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    stored = output.getvalue()
    return CleanFile(data=stored, mimetype="image/jpeg", extension="jpg", kind="image", width=clean.width,
                     height=clean.height, pages=None, sha256=hashlib.sha256(stored).hexdigest())


def _orientation(image: Image.Image) -> int:
    """Return the EXIF orientation of `image` (1 when missing or unreadable)."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # broken EXIF: the photo itself may be fine
        return 1
    return value if isinstance(value, int) else 1


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Return a new RGB image of the decoded `image`, turned as its EXIF says, transparency on white.

    `image` itself is turned in place (no second full-size copy when it needs no turning).
    """
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # broken EXIF: keep the photo as it was taken
        pass
    upright = image
    if upright.has_transparency_data:
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if upright.mode in {"I", "I;16", "I;16B", "I;16L", "I;16N"}:
        # 16-bit greyscale (some scanners): scale to 8 bits instead of clipping everything to white
        upright = upright.point(lambda value: value / 256).convert("L")
    return upright.convert("RGB")


# JPEG markers: start of frame (they carry the size), and those that stand alone without a length.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
# In entropy-coded data a 0xFF is followed by 0x00 (a stuffed byte) or a restart marker; anything else
# (but another fill 0xFF) is the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"


def _jpeg_layout(data: bytes) -> _Layout:
    """Return the size, end (just after EOI), MPF index and XMP of the JPEG at the start of `data`.

    Raises UploadRejected("corrupt_image") when the marker structure is broken or ends before EOI.
    """
    corrupt = UploadRejected("corrupt_image")
    size = len(data)
    position = 2
    width = height = 0
    scans = 0
    mpf_base = None
    xmp = b""
    for _segment in range(MAX_JPEG_SEGMENTS):
        if position >= size or data[position] != 0xFF:
            raise corrupt
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            raise corrupt
        marker = data[position]
        position += 1
        if marker == 0xD9:  # end of image
            break
        if marker in _STANDALONE:
            continue
        if marker in {0x00, 0xD8} or position + 2 > size:
            raise corrupt
        length = struct.unpack_from(">H", data, position)[0]
        if length < 2 or position + length > size:
            raise corrupt
        segment = data[position + 2:position + length]
        if marker in _SOF:
            if len(segment) < 5:
                raise corrupt
            frame_height, frame_width = struct.unpack_from(">HH", segment, 1)
            if frame_width * frame_height > width * height:
                width, height = frame_width, frame_height
        elif marker == 0xE2 and segment.startswith(b"MPF\x00") and mpf_base is None:
            mpf_base = position + 2 + 4
        elif marker == 0xE1 and segment.startswith(_XMP_HEADER) and not xmp:
            xmp = segment[len(_XMP_HEADER):]
        position += length
        if marker == 0xDA:  # start of scan: skip the entropy-coded data to the next marker
            scans += 1
            if scans > MAX_JPEG_SCANS:
                raise corrupt
            found = _NEXT_MARKER.search(data, position)
            if found is None:
                raise corrupt  # truncated inside the scan
            position = found.start()
    else:
        raise corrupt  # too many segments
    if not width or not height:
        raise corrupt
    return _Layout(width, height, position, mpf_base, xmp)


def _png_layout(data: bytes) -> _Layout:
    """Return the size and end (just after IEND) of the PNG `data`; raises UploadRejected("corrupt_image")."""
    corrupt = UploadRejected("corrupt_image")
    position = 8
    width = height = 0
    for index in range(MAX_PNG_CHUNKS):
        if position + 12 > len(data):
            raise corrupt
        length, chunk = struct.unpack_from(">I4s", data, position)
        end = position + 12 + length
        if end > len(data) or (index == 0 and chunk != b"IHDR"):
            raise corrupt
        if chunk == b"IHDR":
            if length < 13:
                raise corrupt
            chunk_width, chunk_height = struct.unpack_from(">II", data, position + 8)
            if chunk_width * chunk_height > width * height:
                width, height = chunk_width, chunk_height
        if chunk == b"IEND":
            if not width or not height:
                raise corrupt
            return _Layout(width, height, end)
        position = end
    raise corrupt


def _webp_layout(data: bytes) -> _Layout:
    """Return the canvas size and end (the RIFF size) of the WebP `data`; raises UploadRejected("corrupt_image")."""
    corrupt = UploadRejected("corrupt_image")
    end = 8 + struct.unpack_from("<I", data, 4)[0]
    if end > len(data) or end < 30 or len(data) < 30:
        raise corrupt
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width = struct.unpack_from("<H", data, 26)[0] & 0x3FFF
        height = struct.unpack_from("<H", data, 28)[0] & 0x3FFF
    elif chunk == b"VP8L" and data[20] == 0x2F:
        bits = struct.unpack_from("<I", data, 21)[0]
        width = (bits & 0x3FFF) + 1
        height = ((bits >> 14) & 0x3FFF) + 1
    else:
        raise corrupt
    if not width or not height:
        raise corrupt
    return _Layout(width, height, end)


# --- What may follow a photo ----------------------------------------------------------------------------


def _declared_trailer(data: bytes, layout: _Layout, kind: str) -> bool:
    """Return True when everything after the image's end is padding or declared by the image itself.

    Declared parts (JPEG only): the extra images of its MPF index, the video of a motion photo (XMP
    `Container:Directory` or `GCamera:MicroVideoOffset`), Samsung's SEFH/SEFT trailer. Each must have the
    structure it claims; the gaps between them must be padding.
    """
    if _is_padding(data[layout.end:]):
        return True
    if kind != "jpeg":
        return False
    parts: list[tuple[int, int]] = []
    samsung = _samsung_trailer_start(data, layout.end)
    if samsung is not None:
        parts.append((samsung, len(data)))
    anchors = {len(data)} | ({samsung} if samsung is not None else set())
    for start, stop in _mpf_images(data, layout.mpf_base) + _container_items(layout.xmp, layout.end):
        if _is_jpeg_part(data, start, stop):
            parts.append((start, stop))
    for length in _motion_video_lengths(layout.xmp):
        for anchor in anchors:
            if _is_video_part(data, anchor - length, anchor):
                parts.append((anchor - length, anchor))
    position = layout.end
    for start, stop in sorted(parts):
        if start > position and not _is_padding(data[position:start]):
            return False
        position = max(position, stop)
    return _is_padding(data[position:])


def _is_jpeg_part(data: bytes, start: int, stop: int) -> bool:
    """Return True when data[start:stop] is one whole JPEG after the primary image (padding at its end)."""
    if not _within(data, start, stop) or not data.startswith(b"\xff\xd8\xff", start):
        return False
    try:
        part = _jpeg_layout(data[start:stop])
    except UploadRejected:
        return False
    return _is_padding(data[start + part.end:stop])


def _is_video_part(data: bytes, start: int, stop: int) -> bool:
    """Return True when data[start:stop] is a sequence of ISO media boxes starting with `ftyp` (an MP4)."""
    if not _within(data, start, stop) or data[start + 4:start + 8] != b"ftyp":
        return False
    position = start
    for _box in range(MAX_VIDEO_BOXES):
        if position >= stop:
            break
        if position + 8 > stop:
            return False
        box_size, box_type = struct.unpack_from(">I4s", data, position)
        if box_size == 1 and position + 16 <= stop:
            box_size = struct.unpack_from(">Q", data, position + 8)[0]
        elif box_size == 0:
            box_size = stop - position
        if box_size < 8 or not re.fullmatch(rb"[\x20-\x7e]{4}", box_type):
            return False
        position += box_size
    return position == stop


def _within(data: bytes, start: int, stop: int) -> bool:
    """Return True when 0 <= start < stop <= len(data)."""
    return 0 <= start < stop <= len(data)


def _mpf_images(data: bytes, base: int | None) -> list[tuple[int, int]]:
    """Return (start, stop) of every image but the first that the MPF index at `base` lists."""
    if base is None:
        return []
    try:
        order = {b"II": "<", b"MM": ">"}[data[base:base + 2]]
        directory = base + struct.unpack_from(order + "I", data, base + 4)[0]
        count = struct.unpack_from(order + "H", data, directory)[0]
        images = []
        for index in range(min(count, 64)):
            tag, _type, length, offset = struct.unpack_from(order + "HHII", data, directory + 2 + 12 * index)
            if tag != 0xB002:  # MPEntry: 16 bytes per image
                continue
            for entry in range(min(length // 16, 64)):
                _attributes, size, start, _dep1, _dep2 = struct.unpack_from(order + "IIIHH", data,
                                                                            base + offset + 16 * entry)
                if start:  # the first image (offset 0) is the primary one
                    images.append((base + start, base + start + size))
        return images
    except (KeyError, struct.error):
        return []


_XMP_ITEM = re.compile(rb"<(?:\w+:)?Item\b([^<>]*)>")
_XMP_ATTRIBUTE = re.compile(rb"\b(?:\w+:)?(Mime|Semantic|Length|Padding)=\"([^\"]*)\"")
_MICRO_VIDEO_OFFSET = re.compile(rb"MicroVideoOffset(?:=\"|>)(\d+)")


def _container_items(xmp: bytes, primary_end: int) -> list[tuple[int, int]]:
    """Return (start, stop) of the JPEG items an XMP `Container:Directory` lists after the primary image."""
    items = []
    for match in _XMP_ITEM.finditer(xmp):
        attributes = dict(_XMP_ATTRIBUTE.findall(match.group(1)))
        if b"Semantic" in attributes:
            items.append(attributes)
    position = primary_end
    found = []
    for index, item in enumerate(items):
        length = _xmp_integer(item.get(b"Length"))
        padding = _xmp_integer(item.get(b"Padding"))
        if index == 0:
            position += padding
            continue
        if item.get(b"Mime") == b"image/jpeg" and length:
            found.append((position, position + length))
        position += length + padding
    return found


def _xmp_integer(value: bytes | None) -> int:
    """Return the non-negative integer an XMP attribute holds, 0 when missing or not a number."""
    return int(value) if value and value.isdigit() else 0


def _motion_video_lengths(xmp: bytes) -> list[int]:
    """Return the lengths of the motion-photo videos that the XMP says are appended to the photo."""
    lengths = [int(value) for value in _MICRO_VIDEO_OFFSET.findall(xmp)]
    for match in _XMP_ITEM.finditer(xmp):
        attributes = dict(_XMP_ATTRIBUTE.findall(match.group(1)))
        if attributes.get(b"Mime", b"").startswith(b"video/"):
            lengths.append(_xmp_integer(attributes.get(b"Length")))
    return [length for length in lengths if length > 0]


def _samsung_trailer_start(data: bytes, primary_end: int) -> int | None:
    """Return where Samsung's SEFH/SEFT trailer at the end of `data` starts, or None when there is none.

    Layout (as ExifTool reads it): data blocks, then a directory "SEFH" version count and 12-byte entries
    (type, offset back from SEFH, size), then the directory's length (4 bytes, little-endian) and "SEFT".
    """
    if not data.endswith(b"SEFT") or len(data) < primary_end + 8:
        return None
    directory_length = struct.unpack_from("<I", data, len(data) - 8)[0]
    directory = len(data) - 8 - directory_length
    if not 12 <= directory_length < 0x10000 or directory < primary_end or data[directory:directory + 4] != b"SEFH":
        return None
    count = struct.unpack_from("<I", data, directory + 8)[0]
    if 12 + 12 * count > directory_length:
        return None
    start = directory
    for index in range(count):
        back, size = struct.unpack_from("<II", data, directory + 12 + 12 * index + 4)
        if back > directory - primary_end or size > back or size < 8:
            return None
        start = min(start, directory - back)
    return start


# --- PDF ------------------------------------------------------------------------------------------------

# Anything that makes a PDF act on its own or carry other files. Keys of a dictionary:
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent", "/XFA"}
# Action types (the /S of an action, whether in /OpenAction, /AA, /A or /Next):
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/GoToE", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
# Object types and annotation subtypes:
_ACTIVE_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia"}


def _escapable_name(name: str) -> re.Pattern[bytes]:
    """Return a pattern for the PDF name `/name`, each character also written as #xx."""
    parts = [b"(?:" + re.escape(char.encode()) + b"|#(?i:" + b"%02x" % ord(char) + b"))" for char in name]
    return re.compile(b"/" + b"".join(parts))


# The raw second line of defence: these names anywhere in the file's bytes (uncompressed parts only).
_RAW_ACTIVE = [_escapable_name(name) for name in ("JavaScript", "EmbeddedFile", "Launch", "RichMedia")]


def _inspect_pdf(data: bytes, *, max_pages: int) -> CleanFile:
    """Return `data` as a CleanFile when it is a readable, unencrypted, inert PDF; raises UploadRejected."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise UploadRejected("corrupt_pdf")
    if not _is_padding(data[end + 5:]):
        raise UploadRejected("hidden_content", found="data after %%EOF")
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected("pdf_encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRejected("corrupt_pdf")
        if pages > max_pages:
            raise UploadRejected("pdf_too_many_pages", pages=pages, limit=max_pages)
        found = pdf_active_content(reader)
    except UploadRejected:
        raise
    except Exception as error:  # pypdf raises many kinds of errors for a broken file
        raise UploadRejected("corrupt_pdf") from error
    found = found or raw_active_content(data)
    if found:
        raise UploadRejected("pdf_active_content", found=found)
    return CleanFile(data=data, mimetype="application/pdf", extension="pdf", kind="pdf", width=None,
                     height=None, pages=pages, sha256=hashlib.sha256(data).hexdigest())


def pdf_active_content(reader: PdfReader) -> str | None:
    """Return the first active-content name found in any object reachable from the PDF's trailer, or None.

    Walks the catalogue, names trees, outlines, pages, annotations, forms and actions without recursion,
    visiting each indirect object once. Raises ValueError when the document has more than
    MAX_PDF_OBJECTS objects to walk.
    """
    pending: list = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            walked += 1
            for key, value in dict.items(item):  # dict.items: keep indirect references as they are
                if key in _ACTIVE_KEYS:
                    return str(key)
                if key == "/S" and _name(value) in _ACTIVE_ACTIONS:
                    return _name(value)
                if key in {"/Type", "/Subtype"} and _name(value) in _ACTIVE_TYPES:
                    return _name(value)
                pending.append(value)
        elif isinstance(item, ArrayObject):
            walked += 1
            pending.extend(list.__iter__(item))
        if walked > MAX_PDF_OBJECTS:
            raise ValueError("too many objects to check")
    return None


def _name(value) -> str | None:
    """Return the PDF name `value` holds (following an indirect reference), or None when it is no name."""
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else None


def raw_active_content(data: bytes) -> str | None:
    """Return the first active-content name written anywhere in the raw bytes of a PDF, or None."""
    for pattern in _RAW_ACTIVE:
        found = pattern.search(data)
        if found:
            return found.group().decode("latin-1")
    return None


# --- Storage --------------------------------------------------------------------------------------------

_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{32}\.(?:jpg|pdf)")
_TEMP_PREFIX = ".incoming-"


class UploadStore:
    """Clean files in one private folder (mode 0700), each under a random name (mode 0600)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.root.chmod(0o700)  # mkdir's mode is reduced by the umask

    def save(self, clean: CleanFile) -> str:
        """Write `clean.data` under a new random name and return the name.

        The bytes go to a temporary file in the same folder first and are renamed into place, so a reader
        never sees half a file; on any error the temporary file is removed and the error re-raised.
        Raises ValueError for an extension the store does not keep.
        """
        if clean.extension not in {"jpg", "pdf"}:
            raise ValueError(f"not a stored extension: {clean.extension!r}")
        name = f"{secrets.token_urlsafe(24)}.{clean.extension}"
        handle, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)  # created with mode 0600
        try:
            with os.fdopen(handle, "wb") as output:
                output.write(clean.data)
                output.flush()
                os.fsync(output.fileno())
            os.replace(temporary, self.root / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._sync_folder()
        return name

    def path(self, name: str) -> Path:
        """Return the path of the stored file `name`.

        Raises ValueError unless `name` is one this store generates (no folders, no "..", no other names).
        """
        if not isinstance(name, str) or not _STORED_NAME.fullmatch(name):
            raise ValueError(f"not a stored file name: {name!r}")
        return self.root / name

    def read(self, name: str) -> bytes:
        """Return the bytes of the stored file `name`.

        Raises ValueError for a name this store does not generate, FileNotFoundError when it is missing.
        """
        handle = os.open(self.path(name), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as stored:
            return stored.read()

    def delete(self, name: str) -> None:
        """Delete the stored file `name`; a missing file is fine. Raises ValueError for a foreign name."""
        self.path(name).unlink(missing_ok=True)

    def sweep_temporary(self, older_than: float = 3600.0) -> int:
        """Delete temporary files left by a crash during `save` more than `older_than` seconds ago.

        Returns how many were deleted. (They hold residents' scans, so the retention job should call it.)
        """
        deleted = 0
        limit = time.time() - older_than
        for leftover in self.root.glob(_TEMP_PREFIX + "*"):
            try:
                if leftover.stat().st_mtime < limit:
                    leftover.unlink()
                    deleted += 1
            except FileNotFoundError:
                continue
        return deleted

    def _sync_folder(self) -> None:
        """Flush the folder's entry for a renamed file to disk (where the system allows it)."""
        try:
            handle = os.open(self.root, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(handle)
        except OSError:
            pass
        finally:
            os.close(handle)
