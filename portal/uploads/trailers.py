"""What may follow a photo: data after a JPEG's end is accepted only when the photo's own metadata declares
it, as phones do — the extra images of a Multi-Picture (MPF) index (the HDR gain map of iPhone and Ultra
HDR photos), the JPEG items of an XMP `Container:Directory`, the video of a motion photo, and Samsung's
SEFH/SEFT trailer. Everything else after the end must be padding.
"""

from __future__ import annotations

import re
import struct

from .errors import UploadRejected
from .layouts import _Layout, _jpeg_layout
from .sniff import _is_padding

# A motion photo's video has a handful of top-level boxes.
MAX_VIDEO_BOXES = 1000


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
