"""An upload step shows what arrived: with htmx in place, without JavaScript on the page the post returns to;
and its photo inputs tell the phone what the server keeps, so that loket.js shrinks photos to just that."""

import io
import re

from PIL import Image

from portal.uploads import MAX_IMAGE_SIDE, inspect_upload, photo_shrink
from tests.web.apply_helpers import GOOD_NIK, csrf, photo, post_step

STEP = "/ajukan/kk_baru/dokumen-kk"
HTMX = {"HX-Request": "true", "HX-Target": "upload", "HX-Current-URL": "http://localhost" + STEP}


def preview_src(html: str) -> str | None:
    """Return the `src` of the stored photo's preview on an upload step, or None when there is none."""
    found = re.search(r'<div class="preview">\s*<img src="([^"]+)"', html)
    return found.group(1) if found else None


def lanjut_href(html: str) -> str:
    return re.search(r'<a class="button" href="([^"]+)">Lanjut</a>', html).group(1)


def test_a_plain_upload_returns_to_the_step_showing_the_stored_photo(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})

    sent = post_step(client, "kk_baru", "dokumen-kk", {}, files={"document": (photo(), "foto.jpg")})

    assert sent.status_code == 303 and sent.headers["Location"] == f"{STEP}?diterima=1#upload"
    page = client.get(sent.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dokumen diterima. Periksa fotonya, lalu lanjut." in html
    src = preview_src(html)
    assert src and re.fullmatch(r"/ajukan/dokumen/\d+\?ukuran=kecil", src)  # served to its owner, smaller
    preview = client.get(src)
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    assert preview.headers["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(preview.data)).size == (600, 800)  # PREVIEW_SIDE on the long side
    full = src.split("?")[0]
    assert f'<a href="{full}">Buka foto ukuran penuh</a>' in html
    stored = client.get(full)
    assert Image.open(io.BytesIO(stored.data)).size == (1200, 1600) and len(preview.data) < len(stored.data)
    assert lanjut_href(html) == "/ajukan/kk_baru/dokumen-surat-pindah"
    assert "Unggah yang baru" in html


def test_a_plain_upload_from_the_check_page_returns_there_after(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    path = f"{STEP}?kembali=periksa"
    sent = client.post(path, data={"csrf_token": csrf(client, path), "next": "1",
                                   "document": (io.BytesIO(photo()), "foto.jpg")},
                       content_type="multipart/form-data")

    assert sent.status_code == 303
    assert sent.headers["Location"] == f"{STEP}?diterima=1&kembali=periksa#upload"
    html = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert preview_src(html) and lanjut_href(html) == "/ajukan/kk_baru/periksa"


def test_received_says_nothing_of_a_document_that_is_not_there(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    html = client.get(f"{STEP}?diterima=1").get_data(as_text=True)
    assert "Dokumen diterima" not in html and preview_src(html) is None
    assert "Unggah dan lanjut" in html


def test_continue_without_a_new_file_moves_on_with_htmx_too(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    assert post_step(client, "kk_baru", "dokumen-kk", {}, files={"document": (photo(), "foto.jpg")}).status_code == 303

    plain = client.post(STEP, data={"csrf_token": csrf(client, STEP), "next": "1"})
    htmx = client.post(STEP, data={"csrf_token": csrf(client, STEP), "next": "1"}, headers=HTMX)

    assert plain.status_code == 303 and plain.headers["Location"] == "/ajukan/kk_baru/dokumen-surat-pindah"
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"] == "/ajukan/kk_baru/dokumen-surat-pindah"


def test_an_htmx_upload_shows_what_arrived_in_place(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    response = client.post(STEP, data={"csrf_token": csrf(client, STEP), "next": "1",
                                       "document": (io.BytesIO(photo()), "foto.jpg")},
                           content_type="multipart/form-data", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="upload">')
    assert "Dokumen diterima" in html and preview_src(html)


def test_photo_inputs_ask_the_phone_to_shrink_to_what_the_server_keeps(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    html = client.get(STEP).get_data(as_text=True)
    assert 'data-shrink="2000 600 0.85"' in html and photo_shrink() == "2000 600 0.85"

    # what the server keeps of a 12-megapixel photo: 2000 px on the long side, as the phone is told
    kept = inspect_upload(photo(4000, 3000), max_bytes=10 * 1024 * 1024)
    assert (kept.width, kept.height) == (MAX_IMAGE_SIDE, 1500)
    # a photo the phone shrank keeps a short side the server accepts (600 px) however long it is
    long_and_thin = inspect_upload(photo(2400, 600), max_bytes=10 * 1024 * 1024)
    assert (long_and_thin.width, long_and_thin.height) == (2000, 500)


def test_a_photo_no_larger_than_the_preview_is_shown_as_it_is(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    post_step(client, "kk_baru", "dokumen-kk", {}, files={"document": (photo(800, 600), "foto.jpg")})
    src = preview_src(client.get(f"{STEP}?diterima=1").get_data(as_text=True))
    assert client.get(src).data == client.get(src.split("?")[0]).data
