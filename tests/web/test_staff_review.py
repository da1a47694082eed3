"""The clerk's review page `/petugas/<reference>`: answers and scans, each decision and refusal, marking ready,
the audit lines written, scan serving, roles and CSRF, and what the resident then sees when tracking."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, ApplicationDocument, AuditEntry
from tests.web.apply_helpers import GOOD_NIK, csrf, photo
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import application_id, make_application, sign_in, signed_pdf
from tests.web.test_track import track
from tests.web.storage_helpers import stored_body

HX = {"HX-Request": "true"}


def signed_in(app, username: str = "clerk"):
    client = app.test_client()
    sign_in(client, username)
    return client


def page(reference: str) -> str:
    return f"/petugas/{reference}"


def token(client, reference: str) -> str:
    """Return the session's CSRF token, from the review page or (when it shows no form) the tracking form."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(page(reference)).get_data(
        as_text=True))
    return found.group(1) if found else csrf(client, "/lacak")


def post(client, reference: str, action: str, data: dict | None = None, headers=None, **kwargs):
    """POST to `/petugas/<reference>/<action>` with the page's CSRF token."""
    payload = {"csrf_token": token(client, reference), **(data or {})}
    return client.post(f"{page(reference)}/{action}", data=payload, headers=headers, **kwargs)


def refused(response, status: int, message: str) -> str:
    """Return the page of a refused action after checking that it answered `status` and says `message`."""
    html = response.get_data(as_text=True)
    assert response.status_code == status and message in html, (response.status_code, message)
    return html


def application(app, reference: str) -> Application:
    """Return a fresh copy of the application (a new session, so nothing is cached)."""
    with app.app_context():
        found = db.session.scalar(select(Application).where(Application.reference == reference))
        found.documents, found.events  # load them before the session closes
        db.session.expunge_all()
        return found


def documents(app, reference: str) -> list[ApplicationDocument]:
    with app.app_context():
        rows = list(db.session.scalars(select(ApplicationDocument).join(Application)
                                       .where(Application.reference == reference)
                                       .order_by(ApplicationDocument.id)))
        db.session.expunge_all()
        return rows


def audit(app, reference: str) -> list[tuple[str, str, str]]:
    """Return (action, user name, detail) of every audit line about `reference`, oldest first."""
    with app.app_context():
        return [(entry.action, entry.user_name, entry.detail) for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.reference == reference).order_by(AuditEntry.id))]


def judge(client, reference: str, document_id: int, decision: str, reason: str = "", headers=None):
    return post(client, reference, f"dokumen/{document_id}/nilai", {"decision": decision, "reason": reason},
                headers=headers)


def resident_page(app, reference: str, pin: str) -> str:
    """Return the tracking page as the resident sees it after unlocking with reference and PIN."""
    resident = app.test_client()
    assert track(resident, reference, pin).status_code == 303
    return resident.get(f"/lacak/{reference}").get_data(as_text=True)


def text_of(html: str) -> str:
    """Return the visible words of `html` on one line (tags dropped, entities of quotes kept as is)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# The page


def test_page_shows_answers_desa_documents_and_timeline(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    client = signed_in(app)
    response = client.get(page(reference))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    assert GOOD_NIK in html and "Siti Wulandari" in html and "KTP-el Baru" in html
    assert "Ronggo Mulyo" in html and "Kecamatan Sumber" in html
    assert "Dasar pengajuan" in html and "Pernah rekam KTP-el sebelumnya?" in html and "Nomor KK" in html
    assert "3317010101880001" in html  # the KK number answer
    assert "Permohonan dikirim" in html and "Belum ada petugas yang memeriksa." in html
    with app.app_context():
        ids = [d.id for d in db.session.get(Application, application_id(app, reference)).documents]
    for document_id in ids:
        assert f'<img class="review-scan" src="/petugas/{reference}/dokumen/{document_id}"' in html
    assert "Ambil" in html and "Setujui permohonan" not in html  # nobody has it yet
    assert re.search(r'<link rel="stylesheet" href="/static/css/staff\.[0-9a-f]{10}\.css">', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html


def test_select_answers_read_as_the_resident_chose_them(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    with app.app_context():
        service = db.session.get(Application, application_id(app, reference)).service
        option = service.questions[0]["options"][0]
    html = signed_in(app).get(page(reference)).get_data(as_text=True)
    assert option["id"] in html


def test_unknown_reference_and_drafts_are_404(app, staff):
    client = signed_in(app)
    assert client.get(page("RBG-0000-0000")).status_code == 404
    assert client.get(page("bukan-nomor")).status_code == 404
    from portal.models import Service
    from portal.services import applications, calendar
    with app.app_context():
        draft, _pin = applications.start_draft(db.session.get(Service, "KK_BARU"), calendar.now())
        draft_reference = draft.reference
    assert client.get(page(draft_reference)).status_code == 404


def test_the_holder_is_named_to_another_clerk(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    html = signed_in(app, "clerk2").get(page(reference)).get_data(as_text=True)
    assert "sedang diperiksa oleh Petugas Satu" in html
    assert "Setujui permohonan" not in html and 'name="decision"' not in html
    mine = signed_in(app, "clerk").get(page(reference)).get_data(as_text=True)
    assert "Anda memeriksa permohonan ini sejak" in mine and "Setujui permohonan" in mine
    assert mine.count('name="decision" value="benar"') == 2  # KK and Buku Nikah


def test_a_pdf_is_a_link_not_an_image(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", pdf=signed_pdf())
    html = signed_in(app).get(page(reference)).get_data(as_text=True)
    assert "<img" not in html.split("<main", 1)[1]
    assert "Buka PDF Kartu Keluarga (KK)" in html and "1 halaman" in html


# Taking


def test_ambil_takes_the_application(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    client = signed_in(app)
    html = client.get(page(reference)).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)">\s*<input name="csrf_token"[^>]*>\s*'
                       r'<button class="button" type="submit">Ambil', html).group(1)
    response = client.post(action, data={"csrf_token": token(client, reference)})
    assert response.status_code == 303
    found = application(app, reference)
    assert found.state == "in_review" and found.assigned_to == staff["clerk"]
    assert ("take", "Petugas Satu", "") in audit(app, reference)


# Judging documents


def test_accept_a_document(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    first = documents(app, reference)[0]
    response = judge(client, reference, first.id, "benar")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/petugas/{reference}#document-{first.id}"
    assert documents(app, reference)[0].state == "accepted"
    assert audit(app, reference)[-1] == ("accept_document", "Petugas Satu", first.code)
    html = client.get(page(reference)).get_data(as_text=True)
    assert "Kartu Keluarga (KK): benar." in html and "Sudah diperiksa, benar" in html


def test_ask_for_a_fix_needs_a_reason(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    first = documents(app, reference)[0]
    html = refused(judge(client, reference, first.id, "perbaiki", "   "), 422,
                   "Tulis apa yang perlu diperbaiki pada dokumen ini.")
    assert f'<a href="#reason-{first.id}">' in html and f'id="reason-{first.id}-error"' in html
    assert documents(app, reference)[0].state == "received"
    assert [line for line in audit(app, reference) if line[0] == "ask_fix"] == []
    done = judge(client, reference, first.id, "perbaiki", "Foto buram, nomor KK tidak terbaca")
    assert done.status_code == 303
    row = documents(app, reference)[0]
    assert row.state == "needs_fix" and row.fix_reason == "Foto buram, nomor KK tidak terbaca"
    assert audit(app, reference)[-1] == ("ask_fix", "Petugas Satu", f"{first.code}: Foto buram, nomor KK tidak terbaca")


def test_a_too_long_fix_reason_is_refused_and_kept(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    first = documents(app, reference)[0]
    html = refused(judge(client, reference, first.id, "perbaiki", "x" * 301), 422, "paling banyak 300 huruf")
    assert "x" * 301 in html
    assert documents(app, reference)[0].state == "received"


def test_htmx_judging_swaps_only_the_documents_block(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    first = documents(app, reference)[0]
    target = {**HX, "HX-Target": f"judge-{first.id}"}
    response = judge(client, reference, first.id, "benar", headers=target)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<div class="review-judge" id="judge-{first.id}">')
    assert "Sudah diperiksa, benar" in html and "<img" not in html
    fragment = judge(client, reference, first.id, "perbaiki", "", headers=target)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "Tulis apa yang perlu diperbaiki pada dokumen ini." in fragment.get_data(as_text=True)
    assert documents(app, reference)[0].state == "accepted"
    fixed = judge(client, reference, first.id, "perbaiki", "Buram", headers=target).get_data(as_text=True)
    assert "Perlu diganti" in fixed and ">Buram</textarea>" in fixed  # the saved reason stays editable
    other = signed_in(app, "clerk2")
    stranger = judge(other, reference, first.id, "perbaiki", "Buram", headers=target)
    assert stranger.status_code == 200
    assert "Permohonan ini sedang diperiksa oleh Petugas Satu." in stranger.get_data(as_text=True)


def test_judging_a_document_of_another_application_is_404(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    other, _pin = make_application(app, "KTP_BARU", state="in_review", nik="3317014101900002")
    client = signed_in(app)
    foreign = documents(app, other)[0]
    assert judge(client, reference, foreign.id, "benar").status_code == 404
    assert documents(app, other)[0].state == "received"


# Decisions


def test_approve_with_a_document_needing_a_fix_is_refused(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    judge(client, reference, documents(app, reference)[0].id, "perbaiki", "Buram")
    response = post(client, reference, "setujui")
    assert response.status_code == 409
    assert ("Masih ada dokumen yang perlu diperbaiki; minta perbaikan atau nilai ulang dokumennya."
            in response.get_data(as_text=True))
    assert application(app, reference).state == "in_review"
    assert "approve" not in [line[0] for line in audit(app, reference)]


def test_approve(app, staff):
    reference, pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    response = post(client, reference, "setujui")
    assert response.status_code == 303 and response.headers["Location"] == f"/petugas/{reference}"
    found = application(app, reference)
    assert found.state == "approved" and {d.state for d in found.documents} == {"accepted"}
    assert audit(app, reference)[-1] == ("approve", "Petugas Satu", "")
    html = client.get(page(reference)).get_data(as_text=True)
    assert "Permohonan disetujui." in html and "Tandai siap diambil" in html
    assert "Disetujui, sedang diproses" in resident_page(app, reference, pin)


@pytest.mark.parametrize("action,data", [
    ("setujui", {}), ("perbaikan", {"note": "Lengkapi"}), ("tolak", {"reject_reason": "Bukan warga"}),
])
def test_acting_on_another_clerks_application_is_refused(app, staff, action, data):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app, "clerk2")
    response = post(client, reference, action, data)
    assert response.status_code == 409
    assert "Permohonan ini sedang diperiksa oleh Petugas Satu." in response.get_data(as_text=True)
    assert application(app, reference).state == "in_review"
    assert [line[0] for line in audit(app, reference)] == ["take"]


def test_acting_on_an_application_nobody_took_is_refused(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    refused(post(signed_in(app), reference, "setujui"), 409, "Tekan “Ambil” dulu")


def test_reject_needs_a_reason(app, staff):
    reference, pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    html = refused(post(client, reference, "tolak", {"reject_reason": "  "}), 422, "Tulis alasan penolakan.")
    assert '<a href="#reject-reason">' in html
    assert application(app, reference).state == "in_review"
    done = post(client, reference, "tolak", {"reject_reason": "NIK terdaftar di kabupaten lain"})
    assert done.status_code == 303
    found = application(app, reference)
    assert found.state == "rejected" and found.assigned_to is None
    assert audit(app, reference)[-1] == ("reject", "Petugas Satu", "NIK terdaftar di kabupaten lain")
    tracked = resident_page(app, reference, pin)
    assert "Ditolak" in tracked and "NIK terdaftar di kabupaten lain" in tracked
    refused(post(client, reference, "setujui"), 409, "status permohonan ini sekarang “Ditolak”")


def test_ask_correction_sends_the_reasons_to_the_resident(app, staff):
    reference, pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    refused(post(client, reference, "perbaikan", {"note": ""}), 422, "Tandai dulu dokumen yang perlu diperbaiki")
    first = documents(app, reference)[0]
    judge(client, reference, first.id, "perbaiki", "Foto KK terpotong di bagian bawah")
    response = post(client, reference, "perbaikan", {"note": "Mohon foto ulang di tempat terang"})
    assert response.status_code == 303
    found = application(app, reference)
    assert found.state == "needs_correction" and found.assigned_to is None
    assert audit(app, reference)[-1] == ("ask_correction", "Petugas Satu",
                                         "Mohon foto ulang di tempat terang. Foto KK terpotong di bagian bawah.")
    tracked = resident_page(app, reference, pin)
    assert "Perlu perbaikan" in tracked
    assert "Foto KK terpotong di bagian bawah" in tracked and "Mohon foto ulang di tempat terang" in tracked
    staff_view = client.get(page(reference)).get_data(as_text=True)
    assert "Menunggu perbaikan dari pemohon" in staff_view and "Setujui permohonan" not in staff_view


def test_a_correction_too_long_for_the_resident_is_refused(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    client = signed_in(app)
    for document in documents(app, reference):
        judge(client, reference, document.id, "perbaiki", "y" * 300)
    refused(post(client, reference, "perbaikan", {"note": ""}), 422, "terlalu panjang")
    assert application(app, reference).state == "in_review"


# Ready: collected in person


def ready_form(client, reference) -> str:
    return client.get(page(reference)).get_data(as_text=True)


def test_the_ready_form_proposes_place_day_and_window(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="approved")
    html = ready_form(signed_in(app), reference)
    # Thu 3 Dec 2026 + 3 pickup days (Fri 4, Mon 7, Tue 8)
    assert 'name="day" type="date" min="2026-12-03" value="2026-12-08"' in html
    assert re.search(r'value="DINAS" checked', html)
    assert '<option value="08:00-14:00" selected>08.00–14.00 WIB</option>' in html
    assert "Balai desa" not in html  # not a place for KTP-el
    assert "Usulan sistem: Selasa, 8 Desember 2026, 08.00–14.00 WIB" in html


def test_mark_ready(app, staff):
    reference, pin = make_application(app, "KTP_BARU", state="approved")
    client = signed_in(app)
    response = post(client, reference, "siap", {"place": "MPP", "day": "2026-12-07", "window": "08:00-14:00"})
    assert response.status_code == 303
    found = application(app, reference)
    assert (found.state, found.pickup_place_code, str(found.pickup_date), found.pickup_window) == (
        "ready", "MPP", "2026-12-07", "08:00-14:00")
    assert audit(app, reference)[-1] == ("ready", "Petugas Satu", "MPP 2026-12-07 08:00-14:00")
    html = client.get(page(reference)).get_data(as_text=True)
    assert "Siap diambil di Mal Pelayanan Publik Rembang, Senin, 7 Desember 2026" in html
    tracked = text_of(resident_page(app, reference, pin))
    assert "Siap" in tracked
    assert "Mal Pelayanan Publik Rembang" in tracked and "7 Desember 2026" in tracked


@pytest.mark.parametrize("data,message,field", [
    ({"day": "2026-12-02"}, "Tanggal itu sudah lewat. Pilih hari ini atau sesudahnya.", "day"),
    ({"day": "2026-12-06"}, "Tidak ada jam pengambilan pada Minggu, 6 Desember 2026. Pilih tanggal lain.", "day"),
    ({"day": "2026-12-25"}, "Tidak ada jam pengambilan pada Jumat, 25 Desember 2026 (", "day"),
    ({"day": "2026-12-04"}, "Pilih jam pengambilan pada hari itu: 08.00–10.00 WIB.", "window"),
    ({"place": "BALAI_DESA"}, "Pilih tempat pengambilan yang melayani layanan ini.", "place"),
    ({"place": "TIDAK_ADA"}, "Pilih tempat pengambilan yang melayani layanan ini.", "place"),
    ({"day": ""}, "Isi tanggal pengambilan.", "day"),
    ({"day": "8/12/2026"}, "Tanggal tidak dikenali.", "day"),
    ({"window": "07:00-08:00"}, "Pilih jam pengambilan pada hari itu: 08.00–14.00 WIB.", "window"),
    ({"window": "pagi"}, "Pilih jam pengambilan pada hari itu: 08.00–14.00 WIB.", "window"),
])
def test_mark_ready_refusals(app, staff, data, message, field):
    reference, _pin = make_application(app, "KTP_BARU", state="approved")
    client = signed_in(app)
    chosen = {"place": "DINAS", "day": "2026-12-08", "window": "08:00-14:00", **data}
    response = post(client, reference, "siap", chosen)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'<a href="#{field}">' in html
    if chosen["day"]:
        assert f'value="{chosen["day"]}"' in html  # what was typed is kept
    found = application(app, reference)
    assert found.state == "approved" and found.pickup_date is None
    assert "ready" not in [line[0] for line in audit(app, reference)]


def test_a_holiday_is_named(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="approved")
    response = post(signed_in(app), reference, "siap", {"place": "DINAS", "day": "2026-12-25",
                                                          "window": "08:00-14:00"})
    assert re.search(r"25 Desember 2026 \([^)]*Natal[^)]*\)", response.get_data(as_text=True))


def test_a_place_not_allowed_for_the_service(app, staff):
    reference, _pin = make_application(app, "KIA", state="approved")
    client = signed_in(app)
    assert "Kantor Kecamatan Pancur" not in ready_form(client, reference)
    response = post(client, reference, "siap", {"place": "KEC_PANCUR", "day": "2026-12-08", "window": "08:00-14:00"})
    assert response.status_code == 422 and "Pilih tempat pengambilan yang melayani layanan ini." in response.get_data(
        as_text=True)


def test_show_the_windows_of_another_day_without_saving(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="approved")
    client = signed_in(app)
    friday = {"place": "MPP", "day": "2026-12-04", "window": "08:00-14:00", "refresh": "1"}
    response = post(client, reference, "siap", friday)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert '<option value="08:00-10:00" selected>08.00–10.00 WIB</option>' in html and "08:00-14:00\"" not in html
    assert 'value="MPP" checked' in html and 'value="2026-12-04"' in html
    fragment = post(client, reference, "siap", {**friday, "day": "2026-12-05"},
                    headers={**HX, "HX-Target": "ready_window"})
    part = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in part and 'id="ready_window"' in part
    assert "Tidak ada jam pengambilan pada Sabtu, 5 Desember 2026" in part and "<select" not in part
    found = application(app, reference)
    assert found.state == "approved" and found.pickup_date is None


def test_mark_ready_twice_is_refused(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="ready")
    response = post(signed_in(app), reference, "siap", {"place": "DINAS", "day": "2026-12-08",
                                                          "window": "08:00-14:00"})
    assert response.status_code == 409
    assert "status permohonan ini sekarang “Siap”" in response.get_data(as_text=True)


def test_a_self_printed_service_is_not_marked_ready_with_a_pickup(app, staff):
    reference, _pin = make_application(app, "KK_BARU", state="approved")
    client = signed_in(app)
    html = ready_form(client, reference)
    assert "Unggah dokumen jadi" in html and 'name="day"' not in html
    response = post(client, reference, "siap", {"place": "DINAS", "day": "2026-12-08", "window": "08:00-14:00"})
    assert response.status_code == 409 and application(app, reference).state == "approved"


# Ready: self-printed


def upload(client, reference, content: bytes, name: str):
    return post(client, reference, "dokumen-jadi", {"output": (io.BytesIO(content), name)},
                content_type="multipart/form-data")


def test_upload_a_photo_instead_of_the_signed_pdf_is_refused(app, staff):
    reference, _pin = make_application(app, "KK_BARU", state="approved")
    client = signed_in(app)
    response = upload(client, reference, photo(), "kk.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Berkas ini foto, bukan PDF." in html and '<a href="#output">' in html
    assert application(app, reference).state == "approved" and application(app, reference).output_stored_name is None
    empty = post(client, reference, "dokumen-jadi", content_type="multipart/form-data")
    assert empty.status_code == 422 and "Pilih berkas PDF" in empty.get_data(as_text=True)
    junk = upload(client, reference, b"MZ\x90\x00 not a pdf", "kk.pdf")
    assert junk.status_code == 422 and "Jenis berkas ini tidak dapat kami terima" in junk.get_data(as_text=True)


def test_upload_the_signed_pdf_marks_ready(app, staff):
    reference, pin = make_application(app, "KK_BARU", state="approved")
    client = signed_in(app)
    response = upload(client, reference, signed_pdf(), "kk-ttd.pdf")
    assert response.status_code == 303
    found = application(app, reference)
    assert found.state == "ready" and found.output_stored_name
    assert audit(app, reference)[-1][0:2] == ("upload_output", "Petugas Satu")
    html = client.get(page(reference)).get_data(as_text=True)
    assert "Dokumen jadi tersimpan." in html
    served = client.get(f"{page(reference)}/dokumen-jadi")
    assert served.status_code == 200 and served.data == signed_pdf()
    assert served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["Cache-Control"] == "private, no-store"
    assert audit(app, reference)[-1][0] == "view_output"
    assert "Siap" in resident_page(app, reference, pin)


def test_the_signed_pdf_is_not_for_a_service_collected_in_person(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="approved")
    response = upload(signed_in(app), reference, signed_pdf(), "ktp.pdf")
    assert response.status_code == 409 and application(app, reference).output_stored_name is None
    assert signed_in(app).get(f"{page(reference)}/dokumen-jadi").status_code == 404


# Scans


def test_a_scan_is_served_privately_and_each_view_is_logged(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    client = signed_in(app)
    first = documents(app, reference)[0]
    response = client.get(f"{page(reference)}/dokumen/{first.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data == stored_body(app, first.stored_name)
    client.get(f"{page(reference)}/dokumen/{first.id}")
    assert audit(app, reference) == [("view_scan", "Petugas Satu", first.code)] * 2


def test_a_scan_is_sandboxed_as_for_the_resident_and_downloads_as_an_attachment(app, staff):
    """A clerk's view used to lack `sandbox`: an HTML or SVG smuggled in would have run as the portal."""
    from portal.security import SANDBOXED_FILE_POLICY

    reference, _pin = make_application(app, "KTP_BARU", pdf=signed_pdf())
    client = signed_in(app)
    scan = f"{page(reference)}/dokumen/{documents(app, reference)[0].id}"
    shown, saved = client.get(scan), client.get(f"{scan}?unduh=1")
    assert SANDBOXED_FILE_POLICY.endswith("; sandbox")
    for response in (shown, saved):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Security-Policy"] == SANDBOXED_FILE_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["Content-Disposition"].startswith(f'inline; filename="{reference}-')
    assert saved.headers["Content-Disposition"].startswith("attachment; filename=")
    assert saved.data == shown.data
    assert f'href="{scan}?unduh=1" download' in client.get(page(reference)).get_data(as_text=True)


def test_a_scan_of_another_application_is_404_and_not_logged(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    other, _pin = make_application(app, "KTP_BARU", nik="3317014101900002")
    client = signed_in(app)
    foreign = documents(app, other)[0]
    assert client.get(f"{page(reference)}/dokumen/{foreign.id}").status_code == 404
    assert client.get(f"{page(reference)}/dokumen/999999").status_code == 404
    assert client.get(f"/petugas/RBG-0000-0000/dokumen/{foreign.id}").status_code == 404
    assert audit(app, reference) == [] and audit(app, other) == []


def test_a_scan_whose_file_is_gone_is_404(app, staff):
    reference, _pin = make_application(app, "KTP_BARU")
    first = documents(app, reference)[0]
    with app.app_context():
        from portal.services import storage
        storage.upload_store().delete(first.stored_name)
    assert signed_in(app).get(f"{page(reference)}/dokumen/{first.id}").status_code == 404


# Roles and CSRF


POSTS = ("dokumen/{doc}/nilai", "setujui", "perbaikan", "tolak", "siap", "dokumen-jadi")


def every_route(reference: str, document_id: int) -> tuple[list[str], list[str]]:
    gets = [page(reference), f"{page(reference)}/dokumen/{document_id}", f"{page(reference)}/dokumen-jadi"]
    posts = [f"{page(reference)}/{path.format(doc=document_id)}" for path in POSTS]
    return gets, posts


def test_anonymous_visitors_are_sent_to_sign_in(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    gets, posts = every_route(reference, documents(app, reference)[0].id)
    client = app.test_client()
    for path in gets:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk?next=/petugas/")
    csrf_token = csrf(client, "/masuk")
    for path in posts:
        response = client.post(path, data={"csrf_token": csrf_token, "decision": "benar"})
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk"), path
    assert audit(app, reference) == [("take", "Petugas Satu", "")]


def test_operators_are_forbidden(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    gets, posts = every_route(reference, documents(app, reference)[0].id)
    operator = signed_in(app, "op.sumber")
    for path in gets:
        assert operator.get(path).status_code == 403, path
    csrf_token = csrf(operator, "/desa")
    for path in posts:
        assert operator.post(path, data={"csrf_token": csrf_token, "decision": "benar"}).status_code == 403, path
    assert application(app, reference).state == "in_review"
    assert audit(app, reference) == [("take", "Petugas Satu", "")]


def test_a_supervisor_may_read_but_not_decide_for_the_clerk(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    supervisor = signed_in(app, "kabid")
    assert supervisor.get(page(reference)).status_code == 200
    assert post(supervisor, reference, "setujui").status_code == 409


def test_every_post_needs_a_csrf_token(app, staff):
    reference, _pin = make_application(app, "KTP_BARU", state="in_review")
    gets, posts = every_route(reference, documents(app, reference)[0].id)
    client = signed_in(app)
    for path in posts:
        for headers in ({}, {**HX, "HX-Target": "ready_window"}):
            data = {"decision": "benar", "reject_reason": "x", "note": "x"}
            assert client.post(path, data=data, headers=headers).status_code == 400, path
            assert client.post(path, data={**data, "csrf_token": "palsu"}).status_code == 400, path
    found = application(app, reference)
    assert found.state == "in_review" and {d.state for d in found.documents} == {"received"}
    assert audit(app, reference) == [("take", "Petugas Satu", "")]


# Valid HTML


def test_review_pages_are_valid_html(app, staff, tmp_path):
    pages = {}
    submitted, _pin = make_application(app, "KTP_BARU")
    pages["submitted"] = signed_in(app, "clerk2").get(page(submitted))
    in_review, _pin = make_application(app, "KTP_BARU", state="in_review", nik="3317014101900002")
    client = signed_in(app)
    pages["in-review"] = client.get(page(in_review))
    pages["refused"] = post(client, in_review, "tolak", {"reject_reason": ""})
    pages["fix-refused"] = judge(client, in_review, documents(app, in_review)[0].id, "perbaiki", "")
    pages["other-clerk"] = signed_in(app, "clerk2").get(page(in_review))
    approved, _pin = make_application(app, "KTP_BARU", state="approved", nik="3317014101900003")
    pages["approved"] = client.get(page(approved))
    pages["sunday"] = post(client, approved, "siap", {"place": "DINAS", "day": "2026-12-06", "refresh": "1"})
    pages["window-refused"] = post(client, approved, "siap", {"place": "DINAS", "day": "2026-12-04",
                                                                "window": "08:00-14:00"})
    self_print, _pin = make_application(app, "KK_BARU", state="approved", nik="3317014101900004")
    pages["self-print"] = upload(client, self_print, photo(), "x.jpg")
    ready, _pin = make_application(app, "KTP_BARU", state="ready", nik="3317014101900005")
    pages["ready"] = client.get(page(ready))
    client.set_cookie("bahasa", "en")
    pages["in-review-en"] = client.get(page(in_review))
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
    nu_validate(tmp_path, pages)


def test_the_clerk_prints_one_pickup_receipt_and_it_is_audited(app, staff):
    from pypdf import PdfReader

    reference, _pin = make_application(app, "KTP_BARU", state="ready")
    waiting, _ = make_application(app, "KTP_HILANG", nik="3317010101900002")
    assert app.test_client().get(f"/petugas/{reference}/tanda-terima.pdf").status_code == 303
    client = signed_in(app)
    html = client.get(f"/petugas/{reference}").get_data(as_text=True)
    assert "Cetak tanda terima pengambilan (A6)" in html
    for size in ("a6", "80"):
        response = client.get(f"/petugas/{reference}/tanda-terima.pdf?ukuran={size}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert reference in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert client.get(f"/petugas/{reference}/tanda-terima.pdf?ukuran=a4").status_code == 404
    assert client.get(f"/petugas/{waiting}/tanda-terima.pdf").status_code == 404
    assert [row for row in audit(app, reference) if row[0] == "print"][-2:] == [
        ("print", "Petugas Satu", "tanda terima pengambilan a6"), ("print", "Petugas Satu", "tanda terima pengambilan 80")]
