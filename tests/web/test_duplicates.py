"""One open application per NIK and service (issue 19): a second one is flagged before it is sent, from any
channel, and may be sent only with a reason; clerks see the link between them; supervisors see the count.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, AuditEntry
from portal.services import applications, calendar
from tests.web.apply_helpers import GOOD_NIK, csrf, fill_lost_ktp, submit
from tests.web.staff_helpers import make_application, sign_in

WARNING = "NIK ini sudah punya permohonan KTP-el Hilang yang masih diproses"
NO_REASON = "Tulis alasan mengapa permohonan ini tetap perlu dikirim, misalnya untuk siapa."
REASON = "KTP-el saya hilang lagi setelah permohonan pertama dikirim"


def stored(app, reference: str) -> Application:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.reference == reference))
        db.session.expunge(application)
        return application


def audit_lines(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        for row in rows:
            db.session.expunge(row)
        return rows


# ---------------------------------------------------------------------------------------------------------
# The resident, before sending


def test_a_resident_is_warned_before_sending_and_sends_only_with_a_reason(app, client, staff):
    other, _pin = make_application(app, "KTP_HILANG")
    fill_lost_ktp(client)
    page = client.get("/ajukan/ktp_hilang/periksa").get_data(as_text=True)
    assert WARNING in page and 'href="/lacak"' in page and 'name="duplicate_reason"' in page
    assert other not in page  # whoever typed this NIK learns no reference: /lacak still asks for the PIN

    refused = submit(client, "ktp_hilang", "")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and NO_REASON in html and WARNING in html
    assert re.search(r'<input[^>]*name="declaration"[^>]*checked', html)  # what was ticked stays ticked

    assert submit(client, "ktp_hilang", f"  {REASON}  ").status_code == 303
    with app.app_context():
        sent = db.session.scalar(select(Application).where(Application.reference != other))
        assert (sent.state, sent.duplicates_when_sent, sent.duplicate_reason) == ("submitted", 1, REASON)
        sent_reference = sent.reference
    [line] = audit_lines(app, "send_duplicate")
    assert line.reference == sent_reference and line.user_id is None
    assert other in line.detail and REASON in line.detail


@pytest.mark.parametrize("other", ["draft", "cancelled", "another service"])
def test_drafts_ended_applications_and_other_services_are_not_duplicates(app, client, staff, other):
    if other == "another service":
        make_application(app, "KTP_RUSAK")
    else:
        reference, _pin = make_application(app, "KTP_HILANG", state=lifecycle.DRAFT if other == "draft"
                                           else lifecycle.SUBMITTED)
        if other == "cancelled":
            with app.app_context():
                applications.cancel(applications.find(reference), calendar.now())
    fill_lost_ktp(client)
    page = client.get("/ajukan/ktp_hilang/periksa").get_data(as_text=True)
    assert WARNING not in page and "duplicate_reason" not in page
    assert submit(client, "ktp_hilang").status_code == 303


def test_the_service_refuses_a_send_without_a_reason_whatever_the_channel(app, staff):
    make_application(app, "KTP_HILANG")
    draft, _pin = make_application(app, "KTP_HILANG", state=lifecycle.DRAFT)
    with app.app_context():
        application = applications.find(draft)
        with pytest.raises(applications.DuplicateOpen) as refused:
            applications.submit(application, calendar.now())
        assert (refused.value.others, refused.value.code) == (1, "missing")
        with pytest.raises(applications.DuplicateOpen) as refused:
            applications.submit(application, calendar.now(), duplicate_reason="x" * 301)
        assert refused.value.code == "too_long"
        assert application.state == lifecycle.DRAFT and application.duplicate_reason is None


def test_a_corrected_application_goes_back_without_a_reason(app, staff):
    make_application(app, "KTP_HILANG")
    second, _pin = make_application(app, "KTP_HILANG")
    with app.app_context():
        application = applications.find(second)
        application.state = lifecycle.NEEDS_CORRECTION  # as a clerk's request leaves it
        db.session.commit()
        applications.submit(application, calendar.now(), kinds=("document",))
        assert application.state == lifecycle.SUBMITTED


# ---------------------------------------------------------------------------------------------------------
# The village operator: warned on the check page, the batch waits for a reason


def test_an_operator_is_warned_and_the_batch_is_not_sent_until_a_reason_is_given(app, client, staff):
    filed, _pin = make_application(app, "KTP_HILANG", filed_by="op.sumber")  # open, filed by this desa
    own, _pin = make_application(app, "KTP_HILANG")  # the resident's own, from a phone
    draft, _pin = make_application(app, "KTP_HILANG", state=lifecycle.DRAFT, filed_by="op.sumber")
    sign_in(client, "op.sumber")
    token = csrf(client, "/desa")
    check = client.post(f"/desa/permohonan/{draft}/lanjut", data={"csrf_token": token})
    assert check.headers["Location"] == "/ajukan/ktp_hilang/periksa"
    page = client.get("/ajukan/ktp_hilang/periksa").get_data(as_text=True)
    assert WARNING in page and f'href="/desa/permohonan/{filed}"' in page and own not in page
    assert "Ada juga 1 permohonan lain yang tidak diajukan lewat desa Anda." in page

    # Saved into the batch without a reason (not sent yet); the batch then refuses to send and says why.
    saved = client.post("/ajukan/ktp_hilang/periksa", data={"csrf_token": token, "declaration": "y", "submit": "1"})
    assert saved.status_code == 303
    batch_id = stored(app, draft).batch_id
    confirm = client.get(f"/desa/berkas/{batch_id}/kirim").get_data(as_text=True)
    assert f"{draft} (Siti Wulandari): NIK ini sudah punya permohonan layanan yang sama" in confirm
    assert "Ya, kirim" not in confirm
    client.post(f"/desa/berkas/{batch_id}/kirim", data={"csrf_token": token})
    assert stored(app, draft).state == lifecycle.DRAFT

    # Back on the check page, the reason goes with the draft; the batch sends.
    client.post(f"/desa/permohonan/{draft}/lanjut", data={"csrf_token": token})
    assert client.post("/ajukan/ktp_hilang/periksa", data={
        "csrf_token": token, "declaration": "y", "submit": "1", "duplicate_reason": REASON}).status_code == 303
    assert client.post(f"/desa/berkas/{batch_id}/kirim", data={"csrf_token": token}).status_code == 303
    sent = stored(app, draft)
    assert (sent.state, sent.duplicates_when_sent, sent.duplicate_reason) == ("submitted", 2, REASON)
    [line] = [line for line in audit_lines(app, "send_duplicate") if line.reference == draft]
    assert line.user_name == "Operator Ronggo Mulyo" and REASON in line.detail


def test_two_drafts_of_one_nik_in_a_batch_need_a_reason_for_the_second(app, client, staff):
    first, _pin = make_application(app, "KTP_HILANG", state=lifecycle.DRAFT, filed_by="op.sumber")
    second, _pin = make_application(app, "KTP_HILANG", state=lifecycle.DRAFT, filed_by="op.sumber")
    sign_in(client, "op.sumber")
    token = csrf(client, "/desa")
    batch = client.post("/desa/berkas", data={"csrf_token": token}).headers["Location"]
    for reference in (first, second):
        client.post(f"{batch}/tambah", data={"csrf_token": token, "nomor": reference})
    confirm = client.get(f"{batch}/kirim").get_data(as_text=True)
    assert f"{second} (Siti Wulandari): NIK ini" in confirm and f"{first} (Siti Wulandari): NIK ini" not in confirm


# ---------------------------------------------------------------------------------------------------------
# The clerk: the inbox flags them, the review page links them


@pytest.fixture
def nik_with_three(app, staff):
    """Three open KTP-el Hilang applications of GOOD_NIK (the last two sent with reasons), one of KK Baru, and
    one of another NIK; return the three references."""
    references = [make_application(app, "KTP_HILANG", duplicate_reason=f"Alasan nomor {n}")[0] for n in range(3)]
    make_application(app, "KK_BARU")
    make_application(app, "KTP_HILANG", nik="3317015203910002", name="Ani Lestari")
    return references


def test_the_inbox_flags_every_open_row_of_the_nik_and_links_them(app, client, nik_with_three):
    sign_in(client, "clerk")
    html = client.get("/petugas").get_data(as_text=True)
    flag = (f'<a class="small inbox-duplicate" href="/petugas?cari={GOOD_NIK}&amp;layanan=KTP_HILANG">'
            "NIK ini punya 3 permohonan terbuka untuk layanan ini</a>")
    assert html.count(flag) == 3  # the KK Baru row and Ani's row carry none
    listed = client.get(f"/petugas?cari={GOOD_NIK}&layanan=KTP_HILANG").get_data(as_text=True)
    assert all(reference in listed for reference in nik_with_three)


def test_the_inbox_flag_costs_one_query_however_many_rows(app, client, nik_with_three):
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen = []

    def remember(conn, cursor, statement, *args):
        seen.append(statement)

    sign_in(client, "clerk")
    event.listen(engine, "before_cursor_execute", remember)
    try:
        client.get("/petugas")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len([sql for sql in seen if "GROUP BY application.nik" in sql]) == 1


def test_the_review_page_links_the_other_open_applications_and_shows_the_reason(app, client, nik_with_three):
    first, second, third = nik_with_three
    sign_in(client, "clerk")
    page = client.get(f"/petugas/{second}").get_data(as_text=True)
    assert "NIK ini punya 3 permohonan terbuka untuk layanan ini" in page
    assert f'href="/petugas/{first}"' in page and f'href="/petugas/{third}"' in page
    assert "Dikirim saat NIK ini masih punya 1 permohonan terbuka lain untuk layanan ini." in page
    assert "<q>Alasan nomor 1</q>" in page
    assert "Dikirim saat" not in client.get(f"/petugas/{first}").get_data(as_text=True)  # the first was alone


# ---------------------------------------------------------------------------------------------------------
# The supervisor's report


def test_the_report_counts_duplicates_per_service(app, kabid, nik_with_three):
    page = kabid.get("/admin/laporan").get_data(as_text=True)
    assert "Permohonan ganda (dikirim saat NIK yang sama masih punya permohonan terbuka untuk layanan yang sama, " \
           "dengan alasan): 2." in page
    csv = kabid.get("/admin/laporan/ganda.csv").get_data(as_text=True)
    assert csv.splitlines()[1:] == ["KTP_HILANG,KTP-el Hilang,2"]


def test_the_changed_pages_are_valid_html(app, client, nik_with_three, tmp_path):
    from tests.web.html_helpers import nu_validate

    fill_lost_ktp(client)
    pages = {"check": client.get("/ajukan/ktp_hilang/periksa"), "check-refused": submit(client, "ktp_hilang", "")}
    other = app.test_client()
    sign_in(other, "clerk")
    pages.update(inbox=other.get("/petugas"), review=other.get(f"/petugas/{nik_with_three[1]}"))
    supervisor = app.test_client()
    sign_in(supervisor, "kabid")
    pages["reports"] = supervisor.get("/admin/laporan")
    assert [response.status_code for response in pages.values()] == [200, 422, 200, 200, 200]
    nu_validate(tmp_path, pages)
