"""Photo inspection: refuse a JPEG, PNG or WebP on its structure before decoding it (see `layouts` and
`trailers`), then decode it fully and re-encode it as a fresh JPEG — turned upright, flattened on white,
at most `max_side` pixels, without EXIF, ICC, XMP or comments.
"""

from __future__ import annotations

import hashlib
import math
from io import BytesIO

from PIL import ExifTags, Image, ImageFile, ImageOps

from .errors import CleanFile, UploadRejected
from .layouts import _jpeg_layout, _png_layout, _webp_layout
from .trailers import _declared_trailer

JPEG_QUALITY = 85


# Channels per PNG colour type (grey, -, RGB, palette, grey + alpha, -, RGBA).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def sample_bytes(data: bytes, kind: str, pixels: int) -> int:
    """Return how many bytes the samples of a PNG or WebP photo of `pixels` pixels take once decoded: pixels ×
    channels × bytes per sample, read from the PNG's header (a 16-bit RGBA PNG: 8 bytes a pixel); a WebP counts
    as 8-bit RGBA. Decoding time and memory grow with it, not with the pixel count alone.
    """
    if kind == "png" and len(data) >= 26:
        bit_depth, colour_type = data[24], data[25]  # IHDR is the first chunk: fixed offsets
        return pixels * _PNG_CHANNELS.get(colour_type, 4) * max(1, bit_depth // 8)
    return pixels * 4


def _inspect_image(data: bytes, kind: str, *, min_side: int, max_side: int, max_pixels: int,
                   max_decode_bytes: int | None = None) -> CleanFile:
    """Return the re-encoded JPEG of the photo `data` (of `kind` jpeg/png/webp); raises UploadRejected.

    A PNG or WebP, decoded whole, is refused as too large when its samples (`sample_bytes`) exceed
    `max_decode_bytes`; a JPEG is decoded at a reduced scale instead, so its pixel limit is enough.
    """
    layout = {"jpeg": _jpeg_layout, "png": _png_layout, "webp": _webp_layout}[kind](data)
    if not _declared_trailer(data, layout, kind):
        raise UploadRejected("hidden_content", found="trailing data")
    if (kind != "jpeg" and max_decode_bytes is not None
            and sample_bytes(data, kind, layout.width * layout.height) > max_decode_bytes):
        raise UploadRejected("image_too_many_pixels", width=layout.width, height=layout.height)
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


def preview_jpeg(stored: bytes, max_side: int, quality: int = 75) -> bytes:
    """Return a smaller JPEG of the stored photo `stored` (one this module wrote: upright, no metadata), at most
    `max_side` pixels on its long side, to show on a phone; the photo itself when it is no larger, or when it
    cannot be decoded (the browser then shows what it can). Raises nothing.
    """
    try:
        with Image.open(BytesIO(stored), formats=["JPEG"]) as image:
            if max(image.size) <= max_side:
                return stored
            ratio = max_side / max(image.size)
            # libjpeg decodes at 1/2 or 1/4 when that still leaves the preview's pixels
            image.draft("RGB", (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            output = BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=quality, optimize=True, progressive=True)
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, ... for a bad file
        return stored
    return output.getvalue()


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
