"""PDF inspection: a PDF is kept byte for byte, so it is checked instead — readable, not encrypted, a
bounded page count, nothing after its last %%EOF, and nothing that acts on its own or reaches outside the
file: no JavaScript, embedded files or rich media, no automatic action (an `/OpenAction` other than a
destination, `/AA` anywhere) and no action that opens, plays, prints, submits or hides something (GoToR,
Launch, URI, Named, Rendition, Sound, Movie, …, even behind a link). Looked for twice: in every object
reachable from the catalogue, object streams included (`pdf_active_content`), and as names in the raw bytes
(`raw_active_content`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from io import BytesIO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .errors import CleanFile, UploadRejected
from .sniff import _is_padding

# A ten-page scan has a few hundred objects; walking more than this is not worth it for a document.
MAX_PDF_OBJECTS = 100_000

# Anything that makes a PDF act on its own or carry other files. Keys of a dictionary (/AA: the additional,
# automatic actions of a document, page, annotation or field):
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent", "/XFA", "/AA"}
# Action types (the /S of an action, whether in /OpenAction, /AA, /A or /Next). A remote go-to opens another
# file, possibly on a network share (a reader then sends the Windows login hash), a URI any address
# (`javascript:` included), Named a menu command such as Print; the others play media, import or submit data,
# reset or hide fields. A scan of a document needs none of them.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/GoToE", "/GoToR", "/URI", "/Named", "/Rendition", "/Sound",
                   "/Movie", "/ImportData", "/SubmitForm", "/ResetForm", "/Hide", "/RichMediaExecute"}
# The one action a document may run when opened: going to one of its own pages (what a destination does).
_OPEN_ACTIONS_ALLOWED = {"/GoTo"}
# Object types and annotation subtypes:
_ACTIVE_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia"}


def _escapable_name(name: str) -> re.Pattern[bytes]:
    """Return a pattern for the PDF name `/name`, each character also written as #xx."""
    parts = [b"(?:" + re.escape(char.encode()) + b"|#(?i:" + b"%02x" % ord(char) + b"))" for char in name]
    return re.compile(b"/" + b"".join(parts))


# The raw second line of defence: these names anywhere in the file's bytes (uncompressed parts only).
_RAW_ACTIVE = [_escapable_name(name) for name in ("JavaScript", "EmbeddedFile", "Launch", "RichMedia")]


def _inspect_pdf(data: bytes, *, max_pages: int,
                 raw_scan: Callable[[bytes], str | None] | None = None) -> CleanFile:
    """Return `data` as a CleanFile when it is a readable, unencrypted, inert PDF; raises UploadRejected.

    `raw_scan` is the raw second line of defence, `raw_active_content` unless given: `inspect_upload`
    passes `portal.uploads.raw_active_content` as it finds it at call time, so replacing that name (as a
    test does, to show the structural check works alone) still takes effect, as it did in one module.
    """
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
    found = found or (raw_scan or raw_active_content)(data)
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
                if key == "/OpenAction" and _is_action_other_than(value, _OPEN_ACTIONS_ALLOWED):
                    return "/OpenAction"
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


def _is_action_other_than(value, allowed: set[str]) -> bool:
    """Return True when `value` (an /OpenAction) is an action dictionary whose type is not in `allowed`; a
    destination (an array, a name or a string) is no action."""
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return isinstance(value, DictionaryObject) and _name(value.get("/S")) not in allowed


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
