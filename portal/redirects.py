"""Where a `next` parameter may send a visitor: only to a path on this site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Control characters would split the Location header; a backslash is read as a slash by browsers, so "/\\x"
# would leave the site like "//x".
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a plain path on this site ("/jadwal?x=1"), else None.

    Refused: absolute URLs, scheme-relative ones ("//host"), anything not starting with "/", and anything
    with a control character (CR, LF, …) or a backslash.
    """
    if not target or not target.startswith("/") or target.startswith("//") or _UNSAFE.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
