"""Sessions the server ends (sign-out, idle, password, disabling, "end this session") and cookies that hold
no secret: the findings 1 and 2 of the outside security test (issue 16)."""

from __future__ import annotations

import base64
import re
import zlib

from portal.extensions import db
from portal.models import Application, AuditEntry, BrowserSession, User
from portal.services import accounts
from tests.web.apply_helpers import GOOD_NIK, apply_lost_ktp, csrf, pin_on
from tests.web.session_helpers import held
from tests.web.staff_helpers import sign_in

COOKIE = "session"


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _with_cookie(app, value: str):
    """Return a new client (another browser) holding the session cookie `value`, as a thief would."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def _signed_out(response) -> bool:
    return response.status_code == 303 and response.headers["Location"].startswith("/masuk")


# 1. Signing out ends the session everywhere it was copied


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, client, staff):
    sign_in(client, "clerk")
    copied = _cookie(client)
    thief = _with_cookie(app, copied)
    assert thief.get("/petugas").status_code == 200  # a copy works while the session lives…
    assert client.post("/keluar", data={"csrf_token": csrf(client, "/petugas")}).status_code == 303
    assert _signed_out(thief.get("/petugas"))  # …and not after the sign-out
    assert _signed_out(_with_cookie(app, copied).get("/petugas"))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BrowserSession)) == 0


def test_idle_time_is_the_servers_not_the_cookies(app, client, staff):
    sign_in(client, "clerk")
    copied = _cookie(client)
    with app.app_context():
        row = db.session.scalars(db.select(BrowserSession)).one()
        row.seen_at = row.seen_at.replace(year=row.seen_at.year - 1)
        db.session.commit()
    assert _signed_out(_with_cookie(app, copied).get("/petugas"))  # the cookie itself is still "fresh"
    assert _signed_out(client.get("/petugas"))


def test_a_password_change_or_disabling_ends_every_session_of_the_account(app, staff):
    phone, desk = app.test_client(), app.test_client()
    for client in (phone, desk):
        sign_in(client, "clerk")
        assert client.get("/petugas").status_code == 200
    with app.app_context():
        accounts.set_password(db.session.get(User, staff["clerk"]), "kata-sandi-baru-2026")
    assert _signed_out(phone.get("/petugas")) and _signed_out(desk.get("/petugas"))
    again = app.test_client()
    again.post("/masuk", data={"csrf_token": csrf(again, "/masuk"), "username": "clerk",
                               "password": "kata-sandi-baru-2026"})
    assert again.get("/petugas").status_code == 200
    with app.app_context():
        accounts.set_active(db.session.get(User, staff["clerk"]), False)
    assert _signed_out(again.get("/petugas"))


def test_sign_out_everywhere_from_my_sessions_page(app, staff):
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, "op.sumber")
    sign_in(desk, "op.sumber")
    page = desk.get("/akun/sesi").get_data(as_text=True)
    assert page.count('name="sesi"') == 2 and "Perangkat ini" in page and "Akhiri semua sesi" in page
    assert 'href="/akun/sesi"' in desk.get("/desa").get_data(as_text=True)  # the name in the menu leads here
    response = desk.post("/akun/sesi", data={"csrf_token": csrf(desk, "/akun/sesi")})
    assert _signed_out(response)
    assert "Anda sudah keluar dari semua perangkat." in desk.get("/masuk").get_data(as_text=True)
    assert _signed_out(phone.get("/desa")) and _signed_out(desk.get("/desa"))
    with app.app_context():
        line = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "end_sessions")).one()
        assert line.detail == "Semua sesi akun op.sumber (2)"


def test_ending_one_other_session_keeps_this_one(app, staff):
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, "clerk")
    sign_in(desk, "clerk")
    page = desk.get("/akun/sesi").get_data(as_text=True)
    ids = re.findall(r'name="sesi" type="hidden" value="([0-9a-f]{64})"', page)
    with app.app_context():
        this = held_row_id(desk)
    other = next(i for i in ids if i != this)
    response = desk.post("/akun/sesi", data={"csrf_token": csrf(desk, "/akun/sesi"), "sesi": other})
    assert response.status_code == 303 and response.headers["Location"] == "/akun/sesi"
    assert _signed_out(phone.get("/petugas")) and desk.get("/petugas").status_code == 200
    gone = desk.post("/akun/sesi", data={"csrf_token": csrf(desk, "/akun/sesi"), "sesi": other})
    assert "Sesi itu sudah berakhir." in desk.get(gone.headers["Location"]).get_data(as_text=True)


def held_row_id(client) -> str:
    import hashlib

    with client.session_transaction() as session:
        return hashlib.sha256(session["sid"].encode()).hexdigest()


def test_a_supervisor_sees_and_ends_a_clerks_sessions(app, kabid, staff):
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    users_page = kabid.get("/admin/pengguna").get_data(as_text=True)
    assert f'href="/admin/pengguna/{staff["clerk"]}/sesi">1<' in users_page
    page = kabid.get(f"/admin/pengguna/{staff['clerk']}/sesi").get_data(as_text=True)
    assert "Sesi clerk" in page and page.count('name="sesi"') == 1 and "127.0.0.1" in page
    path = f"/admin/pengguna/{staff['clerk']}/sesi"
    response = kabid.post(path, data={"csrf_token": csrf(kabid, path)})
    assert response.status_code == 303 and response.headers["Location"] == path
    assert "1 sesi akun clerk diakhiri." in kabid.get(path).get_data(as_text=True)
    assert _signed_out(clerk.get("/petugas"))
    assert kabid.get("/admin").status_code == 200  # the supervisor's own session is untouched


def test_a_supervisor_cannot_see_the_sessions_of_an_admin(app, kabid, staff):
    with app.app_context():
        admin = accounts.create_user("root", "Admin", "admin", "kata-sandi-admin-1")
        admin_id = admin.id
    assert kabid.get(f"/admin/pengguna/{admin_id}/sesi").status_code == 403
    path = f"/admin/pengguna/{admin_id}/sesi"
    assert kabid.post(path, data={"csrf_token": csrf(kabid, "/admin/pengguna")}).status_code == 403


def test_close_on_this_device_ends_what_the_server_granted(app, client, regions):
    reference, pin = apply_lost_ktp(client)
    copied = _cookie(client)
    assert client.get(f"/lacak/{reference}").status_code == 200
    client.post("/lacak/tutup", data={"csrf_token": csrf(client, "/lacak")})
    stolen = _with_cookie(app, copied)
    assert stolen.get(f"/lacak/{reference}").status_code == 303  # back to the form: the grant is gone
    assert client.get(f"/lacak/{reference}").status_code == 303
    assert held(client, app) == {}


# 2. No PIN, NIK or phone number in any cookie


def _record_cookies(client) -> list[str]:
    """Make `client` keep every Set-Cookie header it receives in the returned list."""
    seen: list[str] = []
    original = client.open

    def open_and_record(*args, **kwargs):
        response = original(*args, **kwargs)
        seen.extend(response.headers.getlist("Set-Cookie"))
        return response

    client.open = open_and_record
    return seen


def _decoded(header: str) -> str:
    """Return what anyone can read in a Set-Cookie header: its value, and a signed cookie's payload decoded."""
    value = header.split(";", 1)[0].split("=", 1)[1]
    payload = value.split(".")[1] if value.startswith(".") else value.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        raw = zlib.decompress(raw)
    return value + "\n" + raw.decode("utf-8", "replace")


def _secrets_in(cookies: list[str], secrets: list[str]) -> list[str]:
    readable = "\n".join(_decoded(header) for header in cookies)
    return [secret for secret in secrets if secret in readable]


PHONES = ["081234567890", "6281234567890", "0812 3456 7890", "0812+3456+7890"]



def test_no_cookie_of_the_residents_journey_holds_a_pin_nik_or_phone(app, client, regions):
    cookies = _record_cookies(client)
    reference, pin = apply_lost_ktp(client)
    client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": reference, "pin": pin})
    client.get(f"/lacak/{reference}")
    assert cookies and any("session=" in header for header in cookies)
    assert _secrets_in(cookies, [pin, GOOD_NIK, *PHONES]) == []
    assert held(client, app)["drafts"]["KTP_HILANG"]["id"]  # kept on the server instead


def test_no_cookie_of_the_village_filing_and_slip_journeys_holds_a_pin_nik_or_phone(app, client, staff):
    from tests.web.test_village_filing import consent, fill

    cookies = _record_cookies(client)
    sign_in(client, "op.sumber")
    pins = []
    for code in ("ktp_rusak", "kk_baru"):
        consent(client, code)
        reference = fill(client, app, code)
        pins.append(pin_on(client.get(f"/desa/permohonan/{reference}/disimpan").get_data(as_text=True)))
        assert client.get(f"/desa/permohonan/{reference}/slip.pdf").status_code == 200
    assert len(held(client, app)["slips"]) == 2  # the slips' PINs, on the server
    assert _secrets_in(cookies, [*pins, GOOD_NIK, *PHONES]) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 2


def test_a_sessions_browser_is_named_shortly():
    from portal.services.browser_sessions import device_name

    android = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
               "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36")
    windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Mobile/15E148 Safari/604.1")
    assert device_name(android) == "Samsung Internet · Android"
    assert device_name(windows) == "Chrome · Windows"
    assert device_name(iphone) == "Safari · iPhone"
    assert device_name("Werkzeug/3.1.9") == "Werkzeug/3.1.9" and device_name("") == ""
