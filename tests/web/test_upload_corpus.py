"""The upload corpus through the form: each bad file refused with a clear message, nothing written anywhere."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ApplicationDocument
from tests.unit.test_uploads import (PDF_ACTIONS, encode, open_action_javascript, password, pdf, phone_photo,
                                     picture, png_bomb, zip_archive)
from tests.web.apply_helpers import GOOD_NIK, post_step
from tests.web.storage_helpers import stored_names

CORPUS = {
    "executable renamed .jpg": (b"MZ\x90\x00\x03" + b"\x00" * 2000, "foto.jpg", "Jenis berkas ini tidak dapat kami terima"),
    "SVG with a script": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "kk.svg",
                          "Jenis berkas ini tidak dapat kami terima"),
    "HTML file": (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "kk.jpg",
                  "Jenis berkas ini tidak dapat kami terima"),
    "JPEG/ZIP polyglot": (None, "kk.jpg", "data tambahan yang tersembunyi"),
    "decompression-bomb PNG": (None, "kk.png", "terlalu besar untuk diproses"),
    "over the size limit": (None, "kk.jpg", "Berkas terlalu besar"),
    "PDF with JavaScript": (None, "kk.pdf", "berisi skrip"),
    "encrypted PDF": (None, "kk.pdf", "dikunci dengan kata sandi"),
    "truncated JPEG": (None, "kk.jpg", "rusak atau tidak terkirim utuh"),
    # PDFs that act when opened or reach outside the file (tests/unit/test_uploads.py has every kind)
    **{f"PDF {name}": (PDF_ACTIONS[name], "kk.pdf", "tindakan otomatis")
       for name in ("open-gotor-share", "page-open-gotor-share", "open-uri", "open-named-print", "open-rendition",
                    "link-javascript-uri")},
}


def corpus_file(name: str) -> bytes:
    data = CORPUS[name][0]
    if data is not None:
        return data
    if name == "JPEG/ZIP polyglot":
        return phone_photo() + zip_archive()
    if name == "decompression-bomb PNG":
        return png_bomb(30000, 30000)
    if name == "over the size limit":
        return encode(picture(1200, 1600)) + b"\x00" * (2 * 1024 * 1024)
    if name == "PDF with JavaScript":
        return pdf(1, open_action_javascript)
    if name == "encrypted PDF":
        return pdf(1, password)
    if name == "truncated JPEG":
        return phone_photo()[:-4000]
    raise KeyError(name)


@pytest.mark.parametrize("name", list(CORPUS))
def test_bad_upload_is_refused_and_nothing_is_stored(app, client, regions, name):
    app.config["UPLOAD_MAX_MB"] = 1 if name == "over the size limit" else 10
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    _data, filename, message = CORPUS[name]
    response = post_step(client, "kk_baru", "dokumen-kk", {}, files={"document": (corpus_file(name), filename)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'id="document-error"' in html and "<title>Kesalahan:" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0
    assert stored_names(app) == []


def test_htmx_upload_returns_the_fragment_with_a_preview(app, client, catalogue):
    from tests.web.apply_helpers import csrf
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    path = "/ajukan/kk_baru/dokumen-kk"
    import io
    response = client.post(path, data={"csrf_token": csrf(client, path), "next": "1",
                                       "document": (io.BytesIO(phone_photo()), "kk.jpg")},
                           content_type="multipart/form-data", headers={"HX-Request": "true", "HX-Target": "upload"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="upload">')
    assert "Dokumen diterima" in html and '<img src="/ajukan/dokumen/' in html
    assert 'href="/ajukan/kk_baru/dokumen-surat-pindah"' in html  # "Lanjut" goes to the next step
    bad = client.post(path, data={"csrf_token": csrf(client, path), "next": "1",
                                  "document": (io.BytesIO(b"<html></html>"), "x.jpg")},
                      content_type="multipart/form-data", headers={"HX-Request": "true", "HX-Target": "upload"})
    assert bad.status_code == 200 and "Jenis berkas ini tidak dapat kami terima" in bad.get_data(as_text=True)


def test_far_too_large_request_still_gets_the_form_with_a_message(app, client, catalogue):
    from tests.web.apply_helpers import csrf
    import io
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    path = "/ajukan/kk_baru/dokumen-kk"
    token = csrf(client, path)
    response = client.post(path, data={"csrf_token": token, "next": "1",
                                       "document": (io.BytesIO(b"\xff" * 200_000), "big.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True) and 'id="document"' in response.get_data(as_text=True)
