"""The rules a supervisor's edit of one service must follow (`/admin/layanan/<code>`).

Pure functions: each takes what the form posted (strings and booleans, rows as dicts) and returns the cleaned
value to store and the errors found. An error is a code (see ERRORS), keyed by the field's name for the text
parts and by `(row index, field)` for the lists (`(None, "rows")` for the list as a whole); the view words them.

Codes of documents and questions are fixed once saved: uploads and answers of existing applications are stored
under them, so a saved row keeps its code and a question keeps its type (a stored text answer read as a date
would not parse).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

# Error codes
EMPTY = "empty"
TOO_LONG = "too_long"
CHOICE = "choice"  # a value that is not one of the offered choices
CODE_FORMAT = "code_format"
CODE_TAKEN = "code_taken"
CODE_RESERVED = "code_reserved"
CODE_UNKNOWN = "code_unknown"  # a "saved" row whose code the service does not have (a tampered or stale form)
TYPE_LOCKED = "type_locked"
OPTIONS_FORMAT = "options_format"
OPTIONS_FEW = "options_few"
OPTIONS_DUPLICATE = "options_duplicate"
OPTIONS_NOT_SELECT = "options_not_select"
TOO_MANY = "too_many"
NONE_LEFT = "none_left"
REASON_NEEDED = "reason_needed"
NO_PICKUP_PLACE = "no_pickup_place"  # security_blank on a service no active pickup place hands out

OUTPUTS = ("self_print", "security_blank")
QUESTION_TYPES = ("text", "date", "nik", "kk", "select")  # what portal/apply/forms.question_form can ask
MAX_ROWS = 40

# Longest text per field, in characters (the columns that are String(n) set the first ones).
LIMITS = {
    "name_id": 120, "name_en": 120, "summary_id": 1000, "summary_en": 1000, "applicant_id": 1000,
    "applicant_en": 1000, "processing_time_id": 500, "processing_time_en": 500, "notice_id": 300,
    "notice_en": 300, "visit_reason_id": 500, "visit_reason_en": 500,
    "requirement": 300, "document_code": 30, "document_name": 120, "question_code": 40, "label": 200,
    "hint": 300, "option_value": 40, "option_label": 120,
}
TEXT_FIELDS = ("name_id", "name_en", "summary_id", "summary_en", "applicant_id", "applicant_en",
               "processing_time_id", "processing_time_en", "notice_id", "notice_en")
REQUIRED_TEXTS = ("name_id", "summary_id", "applicant_id", "processing_time_id")

DOCUMENT_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
QUESTION_CODE = re.compile(r"[a-z][a-z0-9_]*")
OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_]*")

Errors = dict


def clean_text(value: str | None) -> str:
    """Return `value` trimmed, with inner runs of spaces and line breaks kept as typed (None reads as "")."""
    return (value or "").strip()


def _limit(errors: Errors, key, value: str, limit_name: str) -> None:
    if len(value) > LIMITS[limit_name]:
        errors[key] = TOO_LONG


def check_texts(values: Mapping[str, str | None], output: str | None, active: bool,
                has_pickup_place: bool = True) -> tuple[dict, Errors]:
    """Return (the service's texts, output and active flag to store, errors by field name).

    Indonesian name, summary, who may apply and processing time are required; English is optional (pages fall
    back to Indonesian); the output must be one of OUTPUTS, and "security_blank" (printed by the office and
    collected) only when the service has an active pickup place (`has_pickup_place`).
    """
    cleaned: dict = {name: clean_text(values.get(name)) for name in TEXT_FIELDS}
    errors: Errors = {}
    for name in TEXT_FIELDS:
        if name in REQUIRED_TEXTS and not cleaned[name]:
            errors[name] = EMPTY
        else:
            _limit(errors, name, cleaned[name], name)
    if output not in OUTPUTS:
        errors["output"] = CHOICE
    elif output == "security_blank" and not has_pickup_place:
        errors["output"] = NO_PICKUP_PLACE
    cleaned["output"] = output
    cleaned["active"] = bool(active)
    return cleaned, errors


def check_visit(required: bool, reason_id: str | None, reason_en: str | None) -> tuple[dict, Errors]:
    """Return (visit_required and its reasons to store, errors): a needed visit needs its Indonesian reason.

    The reasons are kept when no visit is needed, so switching the visit back on does not lose them.
    """
    cleaned = {"visit_required": bool(required), "visit_reason_id": clean_text(reason_id),
               "visit_reason_en": clean_text(reason_en)}
    errors: Errors = {}
    if cleaned["visit_required"] and not cleaned["visit_reason_id"]:
        errors["visit_reason_id"] = REASON_NEEDED
    for name in ("visit_reason_id", "visit_reason_en"):
        if name not in errors:
            _limit(errors, name, cleaned[name], name)
    return cleaned, errors


def move(rows: list, index: int, up: bool) -> list:
    """Return `rows` with row `index` moved one place up or down (unchanged at either end or out of range)."""
    other = index - 1 if up else index + 1
    if not (0 <= index < len(rows) and 0 <= other < len(rows)):
        return list(rows)
    moved = list(rows)
    moved[index], moved[other] = moved[other], moved[index]
    return moved


def _blank(row: Mapping, fields: Iterable[str]) -> bool:
    return not any(clean_text(row.get(name)) for name in fields)


def _too_many(kept: int, errors: Errors) -> None:
    if kept > MAX_ROWS:
        errors[(None, "rows")] = TOO_MANY


def check_requirements(rows: Iterable[Mapping]) -> tuple[list[dict], Errors]:
    """Return (requirements as [{"id", "en"}], errors) from rows of {"id", "en", "remove"}.

    Removed rows and blank rows are left out; the Indonesian text is required, and at least one must remain.
    """
    cleaned: list[dict] = []
    errors: Errors = {}
    for index, row in enumerate(rows):
        if row.get("remove") or _blank(row, ("id", "en")):
            continue
        text_id, text_en = clean_text(row.get("id")), clean_text(row.get("en"))
        if not text_id:
            errors[(index, "id")] = EMPTY
        for field, value in (("id", text_id), ("en", text_en)):
            if (index, field) not in errors:
                _limit(errors, (index, field), value, "requirement")
        cleaned.append({"id": text_id, "en": text_en})
    if not cleaned:
        errors[(None, "rows")] = NONE_LEFT
    _too_many(len(cleaned), errors)
    return cleaned, errors


def _check_code(row: Mapping, index: int, saved: Mapping[str, Mapping], pattern: re.Pattern, limit: str,
                reserved: Iterable[str], seen: set, errors: Errors) -> str:
    """Return the row's code (saved rows keep theirs) and note its errors: format, reserved, unknown, taken."""
    code = clean_text(row.get("code"))
    if row.get("saved"):
        if code not in saved:
            errors[(index, "code")] = CODE_UNKNOWN
    elif not code:
        errors[(index, "code")] = EMPTY
    elif len(code) > LIMITS[limit]:
        errors[(index, "code")] = TOO_LONG
    elif not pattern.fullmatch(code):
        errors[(index, "code")] = CODE_FORMAT
    elif code in reserved:
        errors[(index, "code")] = CODE_RESERVED
    if code and (index, "code") not in errors and code in seen:
        errors[(index, "code")] = CODE_TAKEN
    seen.add(code)
    return code


def check_documents(rows: Iterable[Mapping], saved: Mapping[str, Mapping],
                    reserved: Iterable[str] = ()) -> tuple[list[dict], Errors]:
    """Return (documents as [{"code", "name_id", "name_en", "required"}], errors) from rows of
    {"code", "name_id", "name_en", "required", "remove", "saved"}.

    `saved` maps the service's stored document codes to their stored dicts (other keys they carry are kept). A
    saved row keeps its code; a new row needs a code of capitals, digits and "_" that no other row of the
    service uses and that is not `reserved`. A blank new row is ignored. The Indonesian name is required.
    """
    cleaned: list[dict] = []
    errors: Errors = {}
    seen: set = set()
    for index, row in enumerate(rows):
        if row.get("remove") or (not row.get("saved") and _blank(row, ("code", "name_id", "name_en"))):
            continue
        code = _check_code(row, index, saved, DOCUMENT_CODE, "document_code", reserved, seen, errors)
        name_id, name_en = clean_text(row.get("name_id")), clean_text(row.get("name_en"))
        if not name_id:
            errors[(index, "name_id")] = EMPTY
        for field, value in (("name_id", name_id), ("name_en", name_en)):
            if (index, field) not in errors:
                _limit(errors, (index, field), value, "document_name")
        document = dict(saved.get(code, {})) if row.get("saved") else {}
        document.update(code=code, name_id=name_id, name_en=name_en, required=bool(row.get("required")))
        cleaned.append(document)
    _too_many(len(cleaned), errors)
    return cleaned, errors


def parse_options(text: str | None) -> tuple[list[dict], str | None]:
    """Return (options as [{"value", "id", "en"}], an error code or None) from one option per line written
    `value | Indonesian | English` (English may be left out). Blank lines are skipped."""
    options: list[dict] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            return options, OPTIONS_FORMAT
        value, label_id, label_en = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
        if (not OPTION_VALUE.fullmatch(value) or len(value) > LIMITS["option_value"]
                or max(len(label_id), len(label_en)) > LIMITS["option_label"]):
            return options, OPTIONS_FORMAT
        if any(option["value"] == value for option in options):
            return options, OPTIONS_DUPLICATE
        options.append({"value": value, "id": label_id, "en": label_en})
    return options, None


def format_options(options: Iterable[Mapping] | None) -> str:
    """Return options as the textarea shows them: one `value | Indonesian | English` per line."""
    lines = []
    for option in options or ():
        parts = [option.get("value", ""), option.get("id", "")] + ([option["en"]] if option.get("en") else [])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def check_questions(rows: Iterable[Mapping], saved: Mapping[str, Mapping]) -> tuple[list[dict], Errors]:
    """Return (questions as stored, errors) from rows of {"code", "type", "label_id", "label_en", "hint_id",
    "hint_en", "required", "options" (the textarea's text), "remove", "saved"}.

    `saved` maps the service's stored question codes to their stored dicts. A saved row keeps its code and its
    type; a new row needs a code of small letters, digits and "_" unused in the service, and a type of
    QUESTION_TYPES. The Indonesian label is required; a "select" needs at least two options, other types none.
    """
    cleaned: list[dict] = []
    errors: Errors = {}
    seen: set = set()
    fields = ("code", "label_id", "label_en", "hint_id", "hint_en", "options")
    for index, row in enumerate(rows):
        if row.get("remove") or (not row.get("saved") and _blank(row, fields)):
            continue
        code = _check_code(row, index, saved, QUESTION_CODE, "question_code", (), seen, errors)
        kind = clean_text(row.get("type"))
        stored = saved.get(code) if row.get("saved") else None
        if stored is not None and kind != stored.get("type", "text"):
            errors[(index, "type")] = TYPE_LOCKED
        elif kind not in QUESTION_TYPES:
            errors[(index, "type")] = CHOICE
        question = dict(stored or {})
        question.update(code=code, type=kind, required=bool(row.get("required")))
        for field, limit in (("label_id", "label"), ("label_en", "label"), ("hint_id", "hint"), ("hint_en", "hint")):
            question[field] = clean_text(row.get(field))
            _limit(errors, (index, field), question[field], limit)
        if not question["label_id"]:
            errors[(index, "label_id")] = EMPTY
        options, problem = parse_options(row.get("options"))
        if kind == "select":
            if problem is None and len(options) < 2:
                problem = OPTIONS_FEW
            question["options"] = options
        else:
            question.pop("options", None)
            if options or problem:
                problem = OPTIONS_NOT_SELECT
        if problem:
            errors[(index, "options")] = problem
        cleaned.append(question)
    _too_many(len(cleaned), errors)
    return cleaned, errors


def check_places(chosen: Iterable[str], offered: Iterable[str]) -> tuple[list[str], Errors]:
    """Return (the chosen place codes in `offered` order, errors): every code must be offered, and at least one
    chosen."""
    chosen_set, offered = set(chosen), list(offered)
    errors: Errors = {}
    if chosen_set - set(offered):
        errors["places"] = CHOICE
    elif not chosen_set:
        errors["places"] = NONE_LEFT
    return [code for code in offered if code in chosen_set], errors
