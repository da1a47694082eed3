"""The village operator's home `/desa` and an application's page `/desa/permohonan/<reference>`: counts, search
by name, NIK and reference, corrections first, only the desa's own applications (never another desa's, never
what residents filed themselves), roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import User
from portal.services import applications, calendar, review
from tests.web.staff_helpers import create_staff, make_application, sign_in

KK_REASON = "Foto KK buram, foto ulang di tempat terang."
NIK_BUDI = "3317011203850007"
NIK_RESIDENT = "3317012509800003"


def ask_fix(app, reference: str, code: str = "KK", reason: str = KK_REASON) -> None:
    """As "clerk": take `reference`, ask to fix document `code` and send it back for a correction."""
    with app.app_context():
        application = applications.find(reference)
        clerk = db.session.scalar(select(User).where(User.username == "clerk"))
        now = calendar.now()
        if application.state == lifecycle.SUBMITTED:
            review.take(application, clerk, now)
        for document in list(application.documents):
            review.judge_document(application, document, clerk, now, accept=document.code != code,
                                  reason=reason if document.code == code else "")
        review.ask_correction(application, clerk, now)


@pytest.fixture
def desa(app, regions):
    """Applications of both desa and of a resident; return their references by role."""
    create_staff(app)
    refs = {
        "complete": make_application(app, state="draft", filed_by="op.sumber")[0],
        "incomplete": make_application(app, state="draft", filed_by="op.sumber", documents=False,
                                       name="Budi Santoso", nik=NIK_BUDI)[0],
        "correction": make_application(app, state="submitted", filed_by="op.sumber", name="Ani Lestari")[0],
        "other_desa": make_application(app, state="draft", filed_by="op.sarang", desa="33.17.05.2001",
                                       name="Dewi Lodan")[0],
        "resident": make_application(app, state="submitted", name="Warga Mandiri", nik=NIK_RESIDENT)[0],
    }
    ask_fix(app, refs["correction"])
    return refs


@pytest.fixture
def operator(client, desa):
    sign_in(client, "op.sumber")
    return client


def page(client, **params) -> str:
    response = client.get("/desa", query_string=params)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_home_lists_only_what_the_desa_filed_with_counts(operator, desa):
    html = page(operator)
    for key in ("complete", "incomplete", "correction"):
        assert desa[key] in html
    assert desa["other_desa"] not in html and "Dewi Lodan" not in html
    assert desa["resident"] not in html and "Warga Mandiri" not in html
    assert 'Belum dikirim (draf) <span class="inbox-count">2</span>' in html
    assert 'Perlu perbaikan <span class="inbox-count">1</span>' in html
    assert "Menunggu" not in html.split('class="inbox-states"')[1].split("</nav>")[0]  # no count of 0 shown
    assert "Belum lengkap: Buku nikah / akta perkawinan, Kartu Keluarga (KK)." in html
    assert "Lengkap, siap dimasukkan ke berkas." in html
    assert 'action="/desa/berkas"' in html  # open a batch from the home page


def test_corrections_come_first_with_their_reasons(operator, desa):
    html = page(operator)
    needs = html.index('id="needs-title"')
    assert needs < html.index('id="drafts-title"') < html.index('id="recent-title"')
    block = html[needs:html.index('id="drafts-title"')]
    assert desa["correction"] in block and "Ani Lestari" in block and KK_REASON in block
    assert "Kartu Keluarga (KK)" in block
    assert f'href="/desa/permohonan/{desa["correction"]}#perbaikan"' in block
    assert desa["complete"] not in block


@pytest.mark.parametrize("typed, found", [("budi", "incomplete"), ("Ani Les", "correction"),
                                          (NIK_BUDI, "incomplete"), ("3317 0112 0385 0007", "incomplete")])
def test_search_by_name_and_nik(operator, desa, typed, found):
    html = page(operator, cari=typed)
    results = html.split('id="found-title"')[1]
    assert desa[found] in results
    for key in {"complete", "incomplete", "correction"} - {found}:
        assert desa[key] not in results


def test_search_by_reference_in_any_spelling(operator, desa):
    reference = desa["complete"]
    for typed in (reference, reference.lower(), reference.replace("-", "")):
        results = page(operator, cari=typed).split('id="found-title"')[1]
        assert reference in results and desa["incomplete"] not in results


def test_search_never_finds_another_desa_or_a_residents_own(operator, desa):
    for typed in ("Dewi", desa["other_desa"], "Warga", desa["resident"], NIK_RESIDENT):
        results = page(operator, cari=typed).split('id="found-title"')[1]
        assert "Tidak ada permohonan desa yang cocok." in results
        assert desa["other_desa"] not in results and desa["resident"] not in results


def test_a_short_nik_gets_a_message_next_to_the_field(operator, desa):
    response = operator.get("/desa", query_string={"cari": "331701120385"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NIK harus 16 angka. Yang Anda ketik 12 angka." in html and 'id="cari-error"' in html
    assert 'value="331701120385"' in html and "<title>Kesalahan:" in html


def test_status_filter(operator, desa):
    html = page(operator, status="needs_correction").split('id="found-title"')[1]
    assert desa["correction"] in html and desa["complete"] not in html


def test_application_page_shows_state_documents_timeline_and_batch(operator, desa):
    html = operator.get(f"/desa/permohonan/{desa['correction']}").get_data(as_text=True)
    assert "Perlu perbaikan" in html and KK_REASON in html and "Petugas meminta perbaikan" in html
    assert "WIB" in html and "Operator Ronggo Mulyo" in html and "Warga hadir langsung" in html
    assert f'href="/lacak/{desa["correction"]}/perbaiki/kk"' in html
    assert f'action="/lacak/{desa["correction"]}/kirim-perbaikan"' in html
    assert "Belum masuk berkas" in html
    draft = operator.get(f"/desa/permohonan/{desa['incomplete']}").get_data(as_text=True)
    assert "Belum lengkap: Buku nikah / akta perkawinan, Kartu Keluarga (KK)." in draft
    assert "/perbaiki/" not in draft


def test_another_desas_or_a_residents_application_is_not_found(operator, desa):
    for key in ("other_desa", "resident"):
        assert operator.get(f"/desa/permohonan/{desa[key]}").status_code == 404
    assert operator.get("/desa/permohonan/RBG-0000-0000").status_code == 404
    sarang = operator.application.test_client()
    sign_in(sarang, "op.sarang")
    assert sarang.get(f"/desa/permohonan/{desa['complete']}").status_code == 404
    assert desa["complete"] not in sarang.get("/desa").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/desa", "/desa/permohonan/{ref}"])
def test_roles(app, client, desa, path):
    path = path.format(ref=desa["complete"])
    response = client.get(path)
    assert response.status_code == 303 and response.headers["Location"].startswith("/masuk")
    sign_in(client, "clerk")
    assert client.get(path).status_code == 403
