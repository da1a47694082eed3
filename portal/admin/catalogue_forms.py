"""What the service edit page (`/admin/layanan/<code>`) shows and reads: its parts, the rows of its lists as
posted or as stored, and the Indonesian words for the rules' error codes (`portal/domain/catalogue.py`).

The list parts are plain HTML rows named `<prefix>-<n>-<field>` (no JavaScript: a blank row adds one, a
"Hapus" box removes one, "Naik"/"Turun" buttons submit the form with a row moved); the CSRF token and the
service's version ride in `PartForm`.
"""

from __future__ import annotations

import re

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from ..domain import catalogue as rules
from ..models import Service

TEXTS, VISIT, REQUIREMENTS, DOCUMENTS, QUESTIONS, PLACES = "teks", "datang", "syarat", "dokumen", "tanya", "tempat"
PARTS = (TEXTS, VISIT, REQUIREMENTS, DOCUMENTS, QUESTIONS, PLACES)
ROW_FIELDS = {
    REQUIREMENTS: ("id", "en"),
    DOCUMENTS: ("code", "name_id", "name_en"),
    QUESTIONS: ("code", "type", "label_id", "label_en", "hint_id", "hint_en", "options"),
}
ROW_FLAGS = ("required", "remove", "saved")


class PartForm(FlaskForm):
    """One part's form: the CSRF token and the version of the service the page was opened on."""

    versi = HiddenField()


def part_names() -> dict[str, str]:
    """Return each part's name as the page and the audit log say it."""
    return {TEXTS: _("teks dan status"), VISIT: _("datang ke kantor"), REQUIREMENTS: _("persyaratan"),
            DOCUMENTS: _("dokumen yang diunggah"), QUESTIONS: _("pertanyaan"), PLACES: _("tempat pengambilan")}


def saved_messages() -> dict[str, str]:
    """Return the sentence shown in each part after a successful save."""
    return {TEXTS: _("Teks dan status layanan disimpan."), VISIT: _("Keterangan datang ke kantor disimpan."),
            REQUIREMENTS: _("Persyaratan disimpan."), DOCUMENTS: _("Dokumen yang diunggah disimpan."),
            QUESTIONS: _("Pertanyaan disimpan."), PLACES: _("Tempat pengambilan disimpan.")}


def group_names() -> dict[str, str]:
    """Return each catalogue group's heading, as /layanan shows it."""
    return {"KTP": _("KTP elektronik"), "KK": _("Kartu Keluarga"), "KIA": _("Kartu Identitas Anak"),
            "AKTA": _("Akta pencatatan sipil"), "PINDAH": _("Pindah datang dan pindah keluar")}


def output_names() -> dict[str, str]:
    """Return the Indonesian name of each output (how the resident gets the document)."""
    return {"self_print": _("Dicetak sendiri oleh warga (PDF bertanda tangan elektronik)"),
            "security_blank": _("Dicetak kantor di blangko khusus, diambil di tempat pengambilan")}


def type_names() -> dict[str, str]:
    """Return the Indonesian name of each question type the form can ask."""
    return {"text": _("Teks bebas"), "date": _("Tanggal"), "nik": _("NIK (16 angka)"),
            "kk": _("Nomor KK (16 angka)"), "select": _("Pilihan")}


TEXT_LABELS = {
    "name_id": _l("Nama layanan"), "name_en": _l("Nama layanan dalam bahasa Inggris"),
    "summary_id": _l("Ringkasan"), "summary_en": _l("Ringkasan dalam bahasa Inggris"),
    "applicant_id": _l("Siapa yang bisa mengajukan"),
    "applicant_en": _l("Siapa yang bisa mengajukan, dalam bahasa Inggris"),
    "processing_time_id": _l("Lama proses"), "processing_time_en": _l("Lama proses dalam bahasa Inggris"),
    "notice_id": _l("Teks pemberitahuan"), "notice_en": _l("Teks pemberitahuan dalam bahasa Inggris"),
    "visit_reason_id": _l("Alasan harus datang"), "visit_reason_en": _l("Alasan dalam bahasa Inggris"),
}


def message(code: str, part: str = "", field: str = "") -> str:
    """Return the Indonesian sentence for a rule's error `code` on `field` of `part`."""
    limit = _limit_of(part, field)
    if code == rules.EMPTY:
        if part == DOCUMENTS and field == "name_id":
            return _("Tulis nama dokumen.")
        return {"name_id": _("Tulis nama layanan."), "summary_id": _("Tulis ringkasan layanan."),
                "applicant_id": _("Tulis siapa yang bisa mengajukan."),
                "processing_time_id": _("Tulis lama prosesnya."), "code": _("Tulis kodenya."),
                "label_id": _("Tulis pertanyaannya."), "id": _("Tulis persyaratannya.")}.get(field, _("Isian ini wajib."))
    simple = {
        rules.TOO_LONG: _("Paling banyak %(max)s huruf.", max=limit),
        rules.CHOICE: _("Pilih salah satu dari daftar."),
        rules.CODE_FORMAT: (_("Kode hanya huruf besar, angka, dan garis bawah, diawali huruf, misalnya AKTA_LAHIR.")
                            if part == DOCUMENTS else
                            _("Kode hanya huruf kecil, angka, dan garis bawah, diawali huruf, misalnya nomor_kk.")),
        rules.CODE_TAKEN: _("Kode ini sudah dipakai baris lain di layanan ini. Pilih kode lain."),
        rules.CODE_RESERVED: _("Kode ini dipakai untuk surat persetujuan warga dari operator desa. Pilih kode lain."),
        rules.CODE_UNKNOWN: _("Baris ini tidak ada lagi di layanan. Muat ulang halaman."),
        rules.TYPE_LOCKED: _("Jenis jawaban tidak bisa diubah setelah disimpan. Hapus pertanyaan ini dan buat yang "
                             "baru dengan kode lain."),
        rules.OPTIONS_FORMAT: _("Tulis satu pilihan per baris seperti: nilai | Indonesia | English. Nilai hanya "
                                "huruf kecil, angka, dan garis bawah."),
        rules.OPTIONS_FEW: _("Jenis Pilihan perlu paling sedikit dua pilihan, satu per baris."),
        rules.OPTIONS_DUPLICATE: _("Dua pilihan memakai nilai yang sama. Setiap nilai harus berbeda."),
        rules.OPTIONS_NOT_SELECT: _("Pilihan jawaban hanya untuk jenis Pilihan. Kosongkan isian ini atau ganti "
                                    "jenisnya."),
        rules.TOO_MANY: _("Paling banyak %(max)s baris.", max=rules.MAX_ROWS),
        rules.NO_PICKUP_PLACE: _("Layanan ini belum punya tempat pengambilan yang aktif, jadi hasilnya tidak bisa "
                                 "diambil. Pilih tempat di bagian Tempat pengambilan dulu, atau pilih dicetak "
                                 "sendiri."),
        rules.REASON_NEEDED: _("Tulis alasan harus datang; warga membacanya di halaman layanan."),
    }
    if code == rules.NONE_LEFT:
        return (_("Pilih paling sedikit satu tempat pengambilan.") if part == PLACES
                else _("Tulis paling sedikit satu persyaratan."))
    return simple.get(code, code)


def _limit_of(part: str, field: str) -> int:
    if part == REQUIREMENTS:
        return rules.LIMITS["requirement"]
    if part == DOCUMENTS:
        return rules.LIMITS["document_code" if field == "code" else "document_name"]
    if part == QUESTIONS:
        return rules.LIMITS["question_code" if field == "code" else "label" if field.startswith("label") else "hint"]
    return rules.LIMITS.get(field, 0)


PAGE_ORDER = ("name_id", "name_en", "summary_id", "summary_en", "applicant_id", "applicant_en", "processing_time_id",
              "processing_time_en", "output", "notice_id", "notice_en", "visit_reason_id", "visit_reason_en",
              "places")


def field_errors(part: str, errors: dict) -> dict[str, str]:
    """Return the rules' errors of `part` as {field id on the page: sentence}, in the page's order."""
    fields = ROW_FIELDS.get(part, ())

    def position(key) -> tuple[int, int]:
        if not isinstance(key, tuple):
            return (0, PAGE_ORDER.index(key) if key in PAGE_ORDER else len(PAGE_ORDER))
        index, field = key
        if index is None:
            return (-1, 0)
        return (index, fields.index(field) if field in fields else len(fields))

    worded: dict[str, str] = {}
    for key in sorted(errors, key=position):
        if isinstance(key, tuple):
            index, field = key
            target = f"{part}-rows" if index is None else f"{part}-{index}-{field}"
            worded[target] = message(errors[key], part, field or "")
        else:
            worded[key] = message(errors[key], part, key)
    return worded


def posted_input(part: str) -> dict:
    """Return what `part`'s form posted, as `_page` takes it: {"values": …}, {"rows": …} or {"places": …}."""
    if part == TEXTS:
        values = {name: request.form.get(name, "") for name in rules.TEXT_FIELDS}
        return {"values": dict(values, output=request.form.get("output") or "",
                               active=bool(request.form.get("active")))}
    if part == VISIT:
        return {"values": {"visit_required": bool(request.form.get("visit_required")),
                           "visit_reason_id": request.form.get("visit_reason_id", ""),
                           "visit_reason_en": request.form.get("visit_reason_en", "")}}
    if part == PLACES:
        return {"places": request.form.getlist("tempat"), "values": {"proxy_letter": bool(request.form.get("surat_kuasa"))}}
    return {"rows": posted_rows(part)}


def stored_now(service: Service, part: str, posted: dict) -> list[tuple[str, str]]:
    """Return (label, stored text) for what `part` of `service` holds now: the fields that differ from the
    `posted` values for the texts and the visit, the whole list for the other parts."""
    if part in (TEXTS, VISIT):
        words = {"output": lambda value: output_names().get(value, value or "—"),
                 "active": lambda value: _("Aktif") if value else _("Dimatikan"),
                 "visit_required": lambda value: _("Harus datang") if value else _("Tidak perlu datang")}
        names = {"output": _("Hasil layanan"), "active": _("Layanan aktif"),
                 "visit_required": _("Harus datang ke kantor")}
        shown = []
        for name, value in posted["values"].items():
            stored = getattr(service, name)
            if name in words:
                if value != stored:
                    shown.append((names[name], words[name](stored)))
            elif rules.clean_text(value) != (stored or ""):
                shown.append((str(TEXT_LABELS[name]), stored or _("(kosong)")))
        return shown
    if part == REQUIREMENTS:
        return [(_("Persyaratan %(n)s", n=index), item.get("id", ""))
                for index, item in enumerate(service.requirements or (), 1)]
    if part == DOCUMENTS:
        return [(item["code"], item.get("name_id", "") + ("" if item.get("required", True) else
                                                          " " + _("(tidak wajib)")))
                for item in service.documents or ()]
    if part == QUESTIONS:
        return [(item["code"], item.get("label_id", "") + (" — " + rules.format_options(item["options"]).replace(
            "\n", "; ") if item.get("options") else "")) for item in service.questions or ()]
    return [(_("Tempat pengambilan"), ", ".join(place.name for place in service.pickup_places if place.active)
             or "—"), (_("Surat kuasa"), _("Wajib bila diambilkan orang lain") if service.proxy_letter
                       else _("Tidak perlu"))]


# Rows


def posted_rows(part: str) -> list[dict]:
    """Return the rows of `part` as posted, in their order on the page (at most a few beyond the limit)."""
    pattern = re.compile(rf"{part}-(\d{{1,3}})-")
    indexes = sorted({int(found.group(1)) for key in request.form if (found := pattern.match(key))})
    rows = []
    for index in indexes[:rules.MAX_ROWS + 5]:
        row = {field: request.form.get(f"{part}-{index}-{field}", "") for field in ROW_FIELDS[part]}
        row.update({flag: bool(request.form.get(f"{part}-{index}-{flag}")) for flag in ROW_FLAGS})
        rows.append(row)
    return rows


def posted_move() -> tuple[int, bool] | None:
    """Return (row index, up?) when a "Naik"/"Turun" button sent the form, else None."""
    found = re.fullmatch(r"(naik|turun)-(\d{1,3})", request.form.get("geser", ""))
    return (int(found.group(2)), found.group(1) == "naik") if found else None


def blank_row(part: str) -> dict:
    """Return an empty new row of `part` (what adds one)."""
    row = {field: "" for field in ROW_FIELDS[part]}
    row.update(required=True, remove=False, saved=False)
    if part == QUESTIONS:
        row["type"] = "text"
    return row


def stored_rows(service: Service, part: str) -> list[dict]:
    """Return the rows of `part` as stored, plus a blank one to add a row."""
    if part == REQUIREMENTS:
        rows = [{"id": item.get("id", ""), "en": item.get("en", ""), "remove": False, "saved": True}
                for item in service.requirements or ()]
    elif part == DOCUMENTS:
        rows = [{"code": item["code"], "name_id": item.get("name_id", ""), "name_en": item.get("name_en", ""),
                 "required": bool(item.get("required", True)), "remove": False, "saved": True}
                for item in service.documents or ()]
    else:
        rows = [{"code": item["code"], "type": item.get("type", "text"), "label_id": item.get("label_id", ""),
                 "label_en": item.get("label_en", ""), "hint_id": item.get("hint_id", ""),
                 "hint_en": item.get("hint_en", ""), "required": bool(item.get("required", True)),
                 "options": rules.format_options(item.get("options")), "remove": False, "saved": True}
                for item in service.questions or ()]
    return rows + [blank_row(part)]


def with_blank(rows: list[dict], part: str) -> list[dict]:
    """Return posted `rows` with a blank new row at the end unless one is there already."""
    last = rows[-1] if rows else None
    fields = [field for field in ROW_FIELDS[part] if field != "type"]
    if last and not last["saved"] and not any(str(last[field]).strip() for field in fields):
        return rows
    return rows + [blank_row(part)]


def describe_list(before: list[dict], after: list[dict], key: str = "code") -> str:
    """Return what changed between two lists of rows, for the audit log ("tambah X; hapus Y; ubah Z")."""
    if key == "code":
        old = {row["code"]: row for row in before}
        new = {row["code"]: row for row in after}
        added = [code for code in new if code not in old]
        removed = [code for code in old if code not in new]
        changed = [code for code in new if code in old and new[code] != old[code]]
        parts = [f"{word} {', '.join(codes)}" for word, codes in
                 ((_("tambah"), added), (_("hapus"), removed), (_("ubah"), changed)) if codes]
        if not parts and [row["code"] for row in before] != [row["code"] for row in after]:
            parts.append(_("urutan"))
        return "; ".join(parts)
    return _("%(before)s → %(after)s baris", before=len(before), after=len(after))
