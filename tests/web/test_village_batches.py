"""Village batches `/desa/berkas/…`: open, add, remove, completeness shown, all-or-nothing submission, the
batch number on the timeline, refusals, isolation between desa, roles, CSRF, and a correction resubmitted
alone from the operator's pages."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Batch, User
from portal.services import applications, batches, calendar
from tests.web.apply_helpers import GOOD_NIK, csrf, photo
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import make_application, sign_in
from tests.web.test_village_home import KK_REASON, ask_fix


@pytest.fixture
def operator(client, staff):
    sign_in(client, "op.sumber")
    return client


def open_batch(client) -> int:
    """Open a batch through the page; return its id."""
    response = client.post("/desa/berkas", data={"csrf_token": csrf(client, "/desa/berkas")})
    assert response.status_code == 303
    return int(re.fullmatch(r"/desa/berkas/(\d+)", response.headers["Location"]).group(1))


def _batch_of_two(app, operator) -> tuple[list[str], int]:
    """Open a batch holding two of the desa's drafts (Siti Wulandari, Ani Lestari); return their references
    and the batch's id."""
    references = [make_application(app, state="draft", filed_by="op.sumber", name=name, nik=nik)[0]
                  for name, nik in (("Siti Wulandari", GOOD_NIK), ("Ani Lestari", "3317015203910002"))]
    batch_id = open_batch(operator)
    for reference in references:
        post(operator, batch_id, "tambah", reference)
    return references, batch_id


def post(client, batch_id: int, action: str, reference: str = ""):
    data = {"csrf_token": csrf(client, "/desa/berkas")}
    if reference:
        data["nomor"] = reference
    return client.post(f"/desa/berkas/{batch_id}/{action}", data=data)


def refused_then_shown(client, batch_id: int) -> str:
    """Post "kirim" expecting a refusal: it redirects to the batch page (303), whose next GET says why, once.
    Return that page's HTML."""
    refused = post(client, batch_id, "kirim")
    assert refused.status_code == 303 and refused.headers["Location"] == f"/desa/berkas/{batch_id}"
    page = client.get(refused.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kesalahan:" in html and 'id="refusal"' in html
    assert 'id="refusal"' not in client.get(f"/desa/berkas/{batch_id}").get_data(as_text=True)  # a reload is calm
    return html


def state_of(app, reference: str) -> str:
    with app.app_context():
        return applications.find(reference).state


def batch_of(app, reference: str):
    with app.app_context():
        application = applications.find(reference)
        return application.batch.number if application.batch else None


def test_open_add_remove_and_completeness(app, operator):
    complete = make_application(app, state="draft", filed_by="op.sumber")[0]
    incomplete = make_application(app, state="draft", filed_by="op.sumber", documents=False, name="Budi")[0]
    batch_id = open_batch(operator)
    page = operator.get(f"/desa/berkas/{batch_id}").get_data(as_text=True)
    assert "Terbuka" in page and "Berkas ini masih kosong." in page and "Kirim berkas" in page
    assert complete in page and incomplete in page  # offered to add

    for reference in (complete, incomplete):
        response = post(operator, batch_id, "tambah", reference)
        assert response.status_code == 303 and response.headers["Location"] == f"/desa/berkas/{batch_id}"
    page = operator.get(f"/desa/berkas/{batch_id}").get_data(as_text=True)
    assert "Isi berkas: 2 permohonan" in page and "Tidak ada draf lain." in page
    assert "Belum lengkap: Buku nikah / akta perkawinan, Kartu Keluarga (KK)" in page and "Lengkap" in page

    response = post(operator, batch_id, "hapus", incomplete)
    assert response.status_code == 303
    assert batch_of(app, incomplete) is None and state_of(app, incomplete) == lifecycle.DRAFT
    listing = operator.get("/desa/berkas").get_data(as_text=True)
    assert "1 permohonan" in listing and "Terbuka" in listing


def test_submission_is_all_or_nothing_and_names_what_is_missing(app, operator):
    complete = make_application(app, state="draft", filed_by="op.sumber")[0]
    incomplete = make_application(app, state="draft", filed_by="op.sumber", documents=False, name="Budi Santoso")[0]
    batch_id = open_batch(operator)
    post(operator, batch_id, "tambah", complete)
    post(operator, batch_id, "tambah", incomplete)

    html = refused_then_shown(operator, batch_id)
    assert "Tidak ada permohonan yang terkirim." in html
    assert f"{incomplete} (Budi Santoso) belum lengkap: Buku nikah / akta perkawinan, Kartu Keluarga (KK)." in html
    assert state_of(app, complete) == lifecycle.DRAFT and state_of(app, incomplete) == lifecycle.DRAFT
    with app.app_context():
        assert db.session.get(Batch, batch_id).state == "open"


def test_empty_batch_cannot_be_sent(operator):
    batch_id = open_batch(operator)
    assert "Berkas ini masih kosong." in refused_then_shown(operator, batch_id)


def test_submitting_sends_all_with_the_batch_number_and_a_second_submit_is_refused(app, operator):
    references, batch_id = _batch_of_two(app, operator)
    sent = post(operator, batch_id, "kirim")
    assert sent.status_code == 303 and sent.headers["Location"] == f"/desa/berkas/{batch_id}"
    with app.app_context():
        number = db.session.get(Batch, batch_id).number
    page = operator.get(f"/desa/berkas/{batch_id}").get_data(as_text=True)
    assert f"Berkas {number} terkirim: 2 permohonan" in page
    assert "Dikirim Kamis, 3 Desember 2026 pukul 09.00 WIB oleh Operator Ronggo Mulyo." in page
    assert "Terkirim, menunggu diperiksa" in page and f"/desa/berkas/{batch_id}/sampul.pdf" in page
    assert "Kirim berkas" not in page and "Keluarkan" not in page
    for reference in references:
        assert state_of(app, reference) == lifecycle.SUBMITTED
        timeline = operator.get(f"/desa/permohonan/{reference}").get_data(as_text=True)
        assert f"Permohonan dikirim: Berkas kolektif {number}" in timeline
    operator.set_cookie("bahasa", "en")
    timeline = operator.get(f"/desa/permohonan/{references[0]}").get_data(as_text=True)
    assert f"Application sent: Batch {number}" in timeline and "Berkas kolektif" not in timeline
    operator.set_cookie("bahasa", "id")

    assert "Berkas ini sudah dikirim" in refused_then_shown(operator, batch_id)
    late = make_application(app, state="draft", filed_by="op.sumber")[0]
    assert post(operator, batch_id, "tambah", late).status_code == 409
    assert post(operator, batch_id, "hapus", references[0]).status_code == 409
    assert batch_of(app, late) is None

    clerk = operator.application.test_client()
    sign_in(clerk, "clerk")
    inbox = clerk.get("/petugas", query_string={"berkas": number}).get_data(as_text=True)
    assert all(reference in inbox for reference in references)


def test_sending_asks_first_and_says_what_will_be_sent(app, operator):
    references, batch_id = _batch_of_two(app, operator)
    page = operator.get(f"/desa/berkas/{batch_id}").get_data(as_text=True)
    assert f'<a class="button" href="/desa/berkas/{batch_id}/kirim">Kirim berkas</a>' in page
    assert f'action="/desa/berkas/{batch_id}/kirim"' not in page  # one click only opens the confirmation
    confirm = operator.get(f"/desa/berkas/{batch_id}/kirim")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Kirim berkas KOL-" in html and "?</h1>" in html
    assert "2 permohonan di bawah ini dikirim ke kantor bersama-sama." in html
    assert all(reference in html for reference in references)
    assert f'<form class="village-submit" method="post" action="/desa/berkas/{batch_id}/kirim">' in html
    assert "Ya, kirim 2 permohonan</button>" in html and f'href="/desa/berkas/{batch_id}"' in html
    assert {state_of(app, reference) for reference in references} == {lifecycle.DRAFT}  # looking sends nothing
    assert post(operator, batch_id, "kirim").status_code == 303
    assert {state_of(app, reference) for reference in references} == {lifecycle.SUBMITTED}
    sent = operator.get(f"/desa/berkas/{batch_id}/kirim")  # nothing left to confirm
    assert sent.status_code == 303 and sent.headers["Location"] == f"/desa/berkas/{batch_id}"


def test_the_confirmation_names_what_stops_a_batch_and_offers_no_send(app, operator):
    incomplete = make_application(app, state="draft", filed_by="op.sumber", documents=False, name="Budi Santoso")[0]
    batch_id = open_batch(operator)
    post(operator, batch_id, "tambah", incomplete)
    html = operator.get(f"/desa/berkas/{batch_id}/kirim").get_data(as_text=True)
    assert "Kesalahan:" in html and "Berkas ini belum bisa dikirim" in html
    assert f"{incomplete} (Budi Santoso) belum lengkap: Buku nikah / akta perkawinan, Kartu Keluarga (KK)." in html
    assert 'method="post"' not in html.split('id="main"', 1)[1].split("</main>", 1)[0]


def test_refusals_are_sentences(app, operator):
    other_batch = open_batch(operator)
    batch_id = open_batch(operator)
    draft = make_application(app, state="draft", filed_by="op.sumber")[0]
    post(operator, other_batch, "tambah", draft)
    refused = post(operator, batch_id, "tambah", draft)
    assert refused.status_code == 409 and "sudah ada di berkas lain" in refused.get_data(as_text=True)
    refused = post(operator, batch_id, "hapus", draft)
    assert refused.status_code == 409 and "tidak ada di berkas ini" in refused.get_data(as_text=True)
    sent = make_application(app, state="submitted", filed_by="op.sumber")[0]
    refused = post(operator, batch_id, "tambah", sent)
    assert refused.status_code == 409 and "sudah dikirim" in refused.get_data(as_text=True)


def test_another_desas_batch_and_application_are_not_found(app, client, staff):
    own = make_application(app, state="draft", filed_by="op.sumber")[0]
    foreign = make_application(app, state="draft", filed_by="op.sarang", desa="33.17.05.2001")[0]
    resident = make_application(app, state="draft")[0]
    sign_in(client, "op.sarang")
    foreign_batch = open_batch(client)
    client.post("/keluar", data={"csrf_token": csrf(client, "/desa")})
    sign_in(client, "op.sumber")
    batch_id = open_batch(client)
    for path in (f"/desa/berkas/{foreign_batch}", f"/desa/berkas/{foreign_batch}/sampul.pdf", "/desa/berkas/9999",
                 f"/desa/berkas/{foreign_batch}/kirim"):
        assert client.get(path).status_code == 404, path
    for action in ("tambah", "hapus", "kirim"):
        response = client.post(f"/desa/berkas/{foreign_batch}/{action}",
                               data={"csrf_token": csrf(client, "/desa"), "nomor": own})
        assert response.status_code == 404
    for reference in (foreign, resident):
        assert post(client, batch_id, "tambah", reference).status_code == 404
        assert batch_of(app, reference) is None
    listing = client.get("/desa/berkas").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Batch, foreign_batch).number not in listing


@pytest.mark.parametrize("method, path", [
    ("get", "/desa/berkas"), ("post", "/desa/berkas"), ("get", "/desa/berkas/{id}"),
    ("get", "/desa/berkas/{id}/sampul.pdf"), ("post", "/desa/berkas/{id}/tambah"),
    ("post", "/desa/berkas/{id}/hapus"), ("get", "/desa/berkas/{id}/kirim"), ("post", "/desa/berkas/{id}/kirim")])
def test_roles(app, client, staff, method, path):
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "op.sumber"))
        batch_id = batches.open_batch(operator, calendar.now()).id
    path = path.format(id=batch_id)
    response = getattr(client, method)(path, data={"csrf_token": csrf(client, "/masuk")})
    assert response.status_code == 303 and response.headers["Location"].startswith("/masuk")
    sign_in(client, "clerk")
    assert getattr(client, method)(path, data={"csrf_token": csrf(client, "/petugas")}).status_code == 403


@pytest.mark.parametrize("path", ["/desa/berkas", "/desa/berkas/{id}/tambah", "/desa/berkas/{id}/hapus",
                                  "/desa/berkas/{id}/kirim"])
def test_posts_without_csrf_are_refused(app, operator, path):
    draft = make_application(app, state="draft", filed_by="op.sumber")[0]
    batch_id = open_batch(operator)
    post(operator, batch_id, "tambah", draft)
    with app.app_context():
        count = db.session.scalar(select(db.func.count(Batch.id)))
    response = operator.post(path.format(id=batch_id), data={"nomor": draft})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Batch.id))) == count
    assert batch_of(app, draft) is not None and state_of(app, draft) == lifecycle.DRAFT


def test_a_correction_is_resubmitted_alone(app, operator):
    references, batch_id = _batch_of_two(app, operator)
    assert post(operator, batch_id, "kirim").status_code == 303
    fixed, other = references
    ask_fix(app, fixed)

    home = operator.get("/desa").get_data(as_text=True)
    needs = home[home.index('id="needs-title"'):home.index('id="drafts-title"')]
    assert fixed in needs and KK_REASON in needs and other not in needs
    page = operator.get(f"/desa/permohonan/{fixed}").get_data(as_text=True)
    link = f"/lacak/{fixed}/perbaiki/kk"
    assert f'href="{link}"' in page
    token = csrf(operator, link)
    uploaded = operator.post(link, data={"csrf_token": token, "document": (io.BytesIO(photo(color=(90, 100, 110))),
                                                                            "kk.jpg")},
                             content_type="multipart/form-data")
    assert uploaded.status_code == 303 and uploaded.headers["Location"] == f"/desa/permohonan/{fixed}"
    sent = operator.post(f"/lacak/{fixed}/kirim-perbaikan", data={"csrf_token": token})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/desa/permohonan/{fixed}"  # back where they were
    assert state_of(app, fixed) == lifecycle.SUBMITTED
    with app.app_context():
        assert applications.find(fixed).events[-1].actor_name == "Operator Ronggo Mulyo"
    assert state_of(app, other) == lifecycle.SUBMITTED  # untouched: still waiting from the batch
    with app.app_context():
        events = [e.to_state for e in applications.find(other).events]
        assert events == [lifecycle.DRAFT, lifecycle.SUBMITTED]
    assert batch_of(app, fixed) is not None  # still in its batch
    page = operator.get(f"/desa/permohonan/{fixed}").get_data(as_text=True)
    assert "Perbaikan dikirim" in page and "/perbaiki/" not in page


def test_village_pages_are_valid_html(app, operator, tmp_path):
    draft = make_application(app, state="draft", filed_by="op.sumber", documents=False, name="Budi")[0]
    references = [make_application(app, state="draft", filed_by="op.sumber", nik=nik)[0]
                  for nik in (GOOD_NIK, "3317015203910002")]
    sent_id = open_batch(operator)
    for reference in references:
        post(operator, sent_id, "tambah", reference)
    assert post(operator, sent_id, "kirim").status_code == 303
    ask_fix(app, references[0])
    open_id = open_batch(operator)
    post(operator, open_id, "tambah", draft)
    ready_id = open_batch(operator)
    post(operator, ready_id, "tambah", make_application(app, state="draft", filed_by="op.sumber",
                                                        nik="3317011708870012")[0])
    with app.app_context():
        token = db.session.get(Batch, sent_id).verification_token
    pages = {
        "home": operator.get("/desa"),
        "search": operator.get("/desa?cari=budi"),
        "search-error": operator.get("/desa?cari=3317"),
        "correction": operator.get(f"/desa/permohonan/{references[0]}"),
        "draft": operator.get(f"/desa/permohonan/{draft}"),
        "batches": operator.get("/desa/berkas"),
        "open": operator.get(f"/desa/berkas/{open_id}"),
        "refused": (post(operator, open_id, "kirim"), operator.get(f"/desa/berkas/{open_id}"))[1],
        "confirm-refused": operator.get(f"/desa/berkas/{open_id}/kirim"),
        "confirm": operator.get(f"/desa/berkas/{ready_id}/kirim"),
        "sent": operator.get(f"/desa/berkas/{sent_id}"),
        "verify": operator.get(f"/verifikasi/{token}"),
    }
    assert [r.status_code for r in pages.values()] == [200, 200, 422, 200, 200, 200, 200, 200, 200, 200, 200, 200]
    nu_validate(tmp_path, pages)
