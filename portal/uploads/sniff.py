"""Type and hidden archives: what a file is from its first bytes (never its name or the browser's type),
whether a ZIP archive hides anywhere in it (a polyglot), and what counts as harmless padding after an
image's or a PDF's end.
"""

from __future__ import annotations

import struct

# Bytes after an image's end (or a PDF's last %%EOF) that are padding, not content: NUL, 0xFF and ASCII
# whitespace, at most this many.
PADDING_BYTES = b"\x00\xff \t\r\n"
MAX_PADDING = 4096

# More candidate ZIP signatures than this is not chance: refuse without checking each one.
MAX_ZIP_CANDIDATES = 64


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
