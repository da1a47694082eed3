"""The resident's answers to a service's own questions, as the clerk's review page shows them."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _

from ..models import Application
from ..templating import localized, long_date


def answers(application: Application) -> list[tuple[str, str]]:
    """Return (label, answer as the resident chose it) for each of the service's own questions, then for each
    answer to a question the office has since removed from the service (labelled from the seed catalogue, or
    by its code, and marked as removed), so the clerk still sees everything the resident answered. A chosen
    option since removed reads as its seed label (or its value), marked; on a submitted application an empty
    required question was added after sending (it could not be skipped) and says so, an optional one is "—"."""

    def seeded(code) -> dict | None:  # read only for a removed question or option: seldom
        from ..services.seed import load_catalogue

        return next((found for entry in load_catalogue()["services"] if entry["code"] == application.service_code
                     for found in entry.get("questions", []) if found["code"] == code), None)

    def option_label(question: dict, value) -> str | None:
        option = next((o for o in question.get("options") or () if o.get("value") == value), None)
        return (option.get(str(get_locale())) or option["id"]) if option else None

    def text(question: dict, value) -> str:
        if value in (None, ""):
            return ""
        if question.get("type") == "select":
            return option_label(question, value) or _("%(answer)s (pilihan sudah dihapus dari layanan)", answer=(
                option_label(seeded(question.get("code")) or {}, value) or str(value)))
        if question.get("type") == "date" or (question.get("type") is None and isinstance(value, str)
                                               and len(value) == 10 and value[4] == value[7] == "-"):
            try:
                return long_date(date.fromisoformat(value))
            except ValueError:
                return str(value)
        return str(value)

    def unanswered(question: dict) -> str:
        if application.submitted_at is None:
            return ""
        return _("— (tidak ditanyakan saat permohonan dikirim)") if question.get("required", True) else "—"

    given = dict(application.answers or {})
    rows = [(localized(question, "label"), text(question, given.get(question["code"])) or unanswered(question))
            for question in application.service.questions]
    asked = {question["code"] for question in application.service.questions}
    for code in [code for code in given if code not in asked]:
        question = seeded(code) or {"code": code}
        rows.append((_("%(label)s (pertanyaan sudah dihapus dari layanan)",
                       label=localized(question, "label") or code), text(question, given[code])))
    return rows
