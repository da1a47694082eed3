"""Image layouts: what the structure of a JPEG, PNG or WebP declares (its size, where the image ends and,
for a JPEG, its MPF index and XMP packet), read from the bytes before anything is decoded.

A broken structure raises UploadRejected("corrupt_image"); the walks are bounded, so a crafted file of
countless tiny segments or chunks costs little.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from .errors import UploadRejected

# A progressive JPEG has about ten scans; thousands make the decoder spin (a known denial of service).
MAX_JPEG_SCANS = 100
# A phone photo has a few dozen marker segments; a file of nothing but tiny ones only costs parsing time.
MAX_JPEG_SEGMENTS = 1000
# A real PNG has a few hundred chunks; millions of empty ones only cost parsing time.
MAX_PNG_CHUNKS = 100_000


@dataclass(frozen=True)
class _Layout:
    """What an image's structure says: its declared size and where the image ends."""

    width: int
    height: int
    end: int
    mpf_base: int | None = None  # JPEG: where the MPF index's TIFF header starts
    xmp: bytes = b""  # JPEG: the XMP packet


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
