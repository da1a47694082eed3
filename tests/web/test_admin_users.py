"""Accounts for supervisors, /admin/pengguna: the list (roles, desa, status, last sign-in in WIB), creating each
role, every error by its field, disabling and enabling (sessions end), resetting a password, who may manage
whom, audit lines, role checks, CSRF, and valid HTML."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.services import accounts
from tests.conftest import wib
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import PASSWORD, create_staff, sign_in

NEW_PASSWORD = "kata-sandi-baru-99"


@pytest.fixture
def staff(app, regions):
    ids = create_staff(app)
    with app.app_context():
        ids["root"] = accounts.create_user("root", "Admin Dinas", "admin", PASSWORD).id
        ids["kabid2"] = accounts.create_user("kabid2", "Kepala Bidang Dua", "supervisor", PASSWORD).id
    return ids


@pytest.fixture
def root(app, staff):
    client = app.test_client()
    sign_in(client, "root")
    return client


def _token(client) -> str:
    return csrf(client, "/admin/pengguna")


def _create(client, **fields):
    data = {"username": "budi", "full_name": "Budi Santoso", "role": "clerk", "desa": "",
            "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    data.update(fields)
    return client.post("/admin/pengguna", data={"csrf_token": _token(client), **data})


def _post(client, path: str):
    return client.post(path, data={"csrf_token": _token(client)})


def _user(app, username: str) -> User | None:
    with app.app_context():
        user = accounts.find_user(username)
        if user is not None:
            db.session.expunge(user)
        return user


def _audit(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(e.action, e.user_name, e.detail) for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]


def _signed_in(client) -> bool:
    """Return whether `client` still has a session: a staff page answers instead of sending it to /masuk."""
    response = client.get("/admin")
    return response.status_code != 303 and "/masuk" not in response.headers.get("Location", "")


def _error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field}-error"><span class="sr-only">[^<]*</span> ([^<]*)</p>',
                      html)
    return match.group(1) if match else ""


# --- the list ------------------------------------------------------------------------------------------------

def test_list_shows_every_account_with_role_desa_status_and_last_sign_in(app, kabid, staff, clock):
    with app.app_context():
        accounts.set_active(db.session.get(User, staff["clerk2"]), False)
        db.session.get(User, staff["clerk"]).last_sign_in_at = wib(2026, 12, 2, 7, 45)
        db.session.commit()
    html = kabid.get("/admin/pengguna").get_data(as_text=True)
    for name in ("clerk", "clerk2", "kabid", "kabid2", "root", "op.sumber", "op.sarang"):
        assert f'<td class="nowrap">{name}</td>' in html
    assert "Desa Ronggo Mulyo" in html and "Desa Lodankulon" in html
    assert html.count("Nonaktif</span>") == 1
    assert "Rabu, 2 Desember 2026<br>pukul 07.45" in html
    assert "Belum pernah" in html
    assert html.index(">root<") < html.index(">kabid<") < html.index(">clerk<") < html.index(">op.sarang<")
    # a supervisor cannot touch admin or supervisor rows, and has no button against themself
    assert "/admin/pengguna/%d/nonaktifkan" % staff["root"] not in html
    assert "/admin/pengguna/%d/sandi" % staff["kabid2"] not in html
    assert "/admin/pengguna/%d/nonaktifkan" % staff["kabid"] not in html
    assert "/admin/pengguna/%d/aktifkan" % staff["clerk2"] in html
    assert "hanya dapat diubah oleh administrator" in html


def test_filter_by_role(kabid, staff):
    html = kabid.get("/admin/pengguna?peran=operator").get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "op.sumber" in body and "op.sarang" in body and ">clerk<" not in body and ">root<" not in body
    assert '<option value="operator" selected>' in html
    assert kabid.get("/admin/pengguna?peran=raja").status_code == 200  # unknown role: everyone


def test_desa_select_is_grouped_by_kecamatan(kabid, staff):
    html = kabid.get("/admin/pengguna").get_data(as_text=True)
    group = re.search(r'<optgroup label="Kecamatan Sumber">(.*?)</optgroup>', html, re.S).group(1)
    assert '<option value="33.17.01.2001">Ronggo Mulyo</option>' in group
    assert "33.17.05." not in group and html.count("<optgroup") > 5


# --- creating ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, desa", [("clerk", ""), ("operator", "33.17.01.2001")])
def test_supervisor_creates_clerks_and_operators(app, kabid, staff, role, desa):
    response = _create(kabid, username="Budi.S", role=role, desa=desa)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/pengguna")
    user = _user(app, "budi.s")
    assert user.role == role and user.full_name == "Budi Santoso" and user.active
    assert user.region_code == (desa or None)
    page = kabid.get("/admin/pengguna").get_data(as_text=True)
    assert "Akun budi.s" in page and "dibuat" in page
    assert NEW_PASSWORD not in page
    fresh = app.test_client()
    assert fresh.post("/masuk", data={"csrf_token": csrf(fresh, "/masuk"), "username": "budi.s",
                                      "password": NEW_PASSWORD}).status_code == 303


@pytest.mark.parametrize("role", ["supervisor", "admin", "clerk", "operator"])
def test_admin_creates_every_role(app, root, role):
    response = _create(root, username=f"new.{role}", role=role,
                       desa="33.17.05.2001" if role == "operator" else "")
    assert response.status_code == 303
    assert _user(app, f"new.{role}").role == role


def test_create_is_audited_in_the_same_commit(app, kabid, staff):
    _create(kabid, username="op.baru", full_name="Operator Baru", role="operator", desa="33.17.01.2001")
    action, by, detail = _audit(app)[-1]
    assert (action, by) == ("create_user", "Kepala Bidang")
    assert "op.baru" in detail and "Operator Baru" in detail and "operator desa" in detail
    assert "Ronggo Mulyo" in detail and NEW_PASSWORD not in detail


@pytest.mark.parametrize("fields, field, message", [
    ({"username": "clerk"}, "username", "Nama pengguna clerk sudah dipakai"),
    ({"username": "CLERK"}, "username", "Nama pengguna clerk sudah dipakai"),
    ({"username": ""}, "username", "Isi nama pengguna."),
    ({"username": "budi santoso"}, "username", "hanya boleh berisi huruf kecil"),
    ({"full_name": "  "}, "full_name", "Isi nama lengkap"),
    ({"role": ""}, "role", "Pilih peran akun."),
    ({"role": "raja"}, "role", "Pilih peran akun."),
    ({"password": "pendek", "password2": "pendek"}, "password", "minimal 10 karakter"),
    ({"password2": "kata-sandi-lain-99"}, "password2", "Kedua kata sandi tidak sama"),
    ({"role": "operator", "desa": ""}, "desa", "Pilih desa atau kelurahan operator ini."),
    ({"role": "operator", "desa": "33.17.01"}, "desa", "Pilih desa atau kelurahan operator ini."),
    ({"role": "clerk", "desa": "33.17.01.2001"}, "desa", "Hanya operator desa yang terikat pada desa"),
])
def test_each_error_is_told_by_its_field_and_keeps_what_was_typed(app, kabid, staff, fields, field, message):
    response = _create(kabid, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _error(html, field), html[:3000]
    assert html.startswith("<!doctype html>") and "<title>Kesalahan:" in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    if field != "full_name":
        assert 'value="Budi Santoso"' in html
    if fields.get("role") == "operator":
        assert '<option value="operator" selected>' in html
    if fields.get("desa"):
        assert f'<option value="{fields["desa"]}" selected>' in html or fields["desa"] == "33.17.01"
    assert NEW_PASSWORD not in html and "pendek" not in html and "kata-sandi-lain" not in html
    assert _audit(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == len(staff)


def test_several_errors_at_once(kabid, staff):
    html = _create(kabid, username="clerk", role="operator", password="x", password2="y").get_data(as_text=True)
    assert _error(html, "username") and _error(html, "desa") and _error(html, "password")


def test_a_name_taken_meanwhile_is_still_told_by_the_field(app, kabid, staff, monkeypatch):
    def taken(*args, **kwargs):
        raise accounts.AccountError("the username 'budi' is empty or taken")

    monkeypatch.setattr(accounts, "create_user", taken)
    html = _create(kabid).get_data(as_text=True)
    assert "sudah dipakai" in _error(html, "username")
    assert _audit(app) == []


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisor_cannot_create_supervisors_or_admins(app, kabid, staff, role):
    response = _create(kabid, username="naik", role=role)
    assert response.status_code == 403
    assert "Hanya administrator yang dapat mengelola akun" in response.get_data(as_text=True)
    assert _user(app, "naik") is None and _audit(app) == []
    assert f'<option value="{role}">' not in kabid.get("/admin/pengguna").get_data(as_text=True).split('id="buat"')[1]


# --- disabling and enabling ----------------------------------------------------------------------------------

def test_disable_ends_the_users_session_and_enable_lets_them_back(app, kabid, staff):
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    assert clerk.get("/petugas").status_code == 200
    response = _post(kabid, f"/admin/pengguna/{staff['clerk']}/nonaktifkan")
    assert response.status_code == 303
    assert not _user(app, "clerk").active
    after = clerk.get("/petugas")
    assert after.status_code == 303 and "/masuk" in after.headers["Location"]
    refused = clerk.post("/masuk", data={"csrf_token": csrf(clerk, "/masuk"), "username": "clerk",
                                         "password": PASSWORD})
    assert refused.status_code == 422 and "dinonaktifkan" in refused.get_data(as_text=True)
    assert "dinonaktifkan" in kabid.get("/admin/pengguna").get_data(as_text=True)

    assert _post(kabid, f"/admin/pengguna/{staff['clerk']}/aktifkan").status_code == 303
    assert _user(app, "clerk").active
    sign_in(clerk, "clerk")
    actions = [(a, d) for a, _, d in _audit(app)]
    assert [a for a, _ in actions] == ["disable_user", "enable_user"]
    assert all("clerk (Petugas Satu), petugas loket" in d for _, d in actions)


def test_disabling_an_operator_names_their_desa(app, kabid, staff):
    _post(kabid, f"/admin/pengguna/{staff['op.sumber']}/nonaktifkan")
    assert _audit(app)[-1][2] == "op.sumber (Operator Ronggo Mulyo), operator desa Ronggo Mulyo"


def test_no_one_disables_themself(app, kabid, root, staff):
    for client, name in ((kabid, "kabid"), (root, "root")):
        response = _post(client, f"/admin/pengguna/{staff[name]}/nonaktifkan")
        assert response.status_code == 409
        assert "Anda tidak dapat menonaktifkan akun Anda sendiri" in response.get_data(as_text=True)
        assert _user(app, name).active
    assert _audit(app) == []


def test_supervisor_cannot_disable_enable_or_reset_supervisors_and_admins(app, kabid, root, staff):
    for target in ("root", "kabid2"):
        for path in ("nonaktifkan", "aktifkan", "sandi"):
            response = _post(kabid, f"/admin/pengguna/{staff[target]}/{path}")
            assert response.status_code == 403, (target, path)
            assert "Kepala bidang mengelola akun petugas loket dan operator desa" in response.get_data(as_text=True)
        assert kabid.get(f"/admin/pengguna/{staff[target]}/sandi").status_code == 403
        assert _user(app, target).active
    assert _audit(app) == []
    # an admin may
    assert _post(root, f"/admin/pengguna/{staff['kabid2']}/nonaktifkan").status_code == 303
    assert not _user(app, "kabid2").active


def test_unknown_account_is_404(kabid, staff):
    assert _post(kabid, "/admin/pengguna/99999/nonaktifkan").status_code == 404
    assert kabid.get("/admin/pengguna/99999/sandi").status_code == 404


# --- resetting a password ------------------------------------------------------------------------------------

def _reset(client, user_id: int, password: str = NEW_PASSWORD, again: str | None = None):
    path = f"/admin/pengguna/{user_id}/sandi"
    return client.post(path, data={"csrf_token": csrf(client, path), "password": password,
                                   "password2": password if again is None else again})


def test_reset_password_ends_sessions_old_fails_new_works(app, kabid, staff):
    operator = app.test_client()
    sign_in(operator, "op.sumber")
    page = kabid.get(f"/admin/pengguna/{staff['op.sumber']}/sandi")
    assert page.status_code == 200 and "Ganti kata sandi op.sumber" in page.get_data(as_text=True)
    response = _reset(kabid, staff["op.sumber"])
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/pengguna")
    after = operator.get("/desa")
    assert after.status_code == 303 and "/masuk" in after.headers["Location"]
    old = operator.post("/masuk", data={"csrf_token": csrf(operator, "/masuk"), "username": "op.sumber",
                                        "password": PASSWORD})
    assert old.status_code == 422
    new = operator.post("/masuk", data={"csrf_token": csrf(operator, "/masuk"), "username": "op.sumber",
                                        "password": NEW_PASSWORD})
    assert new.status_code == 303
    action, by, detail = _audit(app)[-1]
    assert (action, by) == ("reset_password", "Kepala Bidang") and "op.sumber" in detail
    assert NEW_PASSWORD not in detail and PASSWORD not in detail
    assert "Kata sandi akun op.sumber diganti" in kabid.get("/admin/pengguna").get_data(as_text=True)


@pytest.mark.parametrize("password, again, field, message", [
    ("pendek", None, "password", "minimal 10 karakter"),
    (NEW_PASSWORD, "beda-sandinya-99", "password2", "Kedua kata sandi tidak sama"),
])
def test_reset_errors(app, kabid, staff, password, again, field, message):
    response = _reset(kabid, staff["clerk"], password, again)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in _error(html, field)
    assert password not in html and "beda-sandinya" not in html
    assert _audit(app) == []
    fresh = app.test_client()
    sign_in(fresh, "clerk")  # the old password still works


def test_admin_resets_a_supervisor(app, root, staff):
    assert _reset(root, staff["kabid2"]).status_code == 303
    assert _audit(app)[-1][0] == "reset_password"


def test_admin_resetting_their_own_password_is_warned_and_signed_out(app, root, staff):
    assert "Ini akun Anda sendiri" in root.get(f"/admin/pengguna/{staff['root']}/sandi").get_data(as_text=True)
    assert _reset(root, staff["root"]).status_code == 303
    assert not _signed_in(root)


# --- who may come in -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["clerk", "op.sumber"])
def test_clerks_and_operators_get_403(app, client, staff, name):
    sign_in(client, name)
    assert client.get("/admin/pengguna").status_code == 403
    assert client.get(f"/admin/pengguna/{staff['clerk2']}/sandi").status_code == 403
    token = csrf(client, "/petugas" if name == "clerk" else "/desa")
    assert client.post(f"/admin/pengguna/{staff['clerk2']}/nonaktifkan",
                       data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/pengguna", data={"csrf_token": token, "username": "x", "role": "clerk"}
                       ).status_code == 403
    assert _user(app, "clerk2").active and _user(app, "x") is None


def test_visitors_go_to_sign_in(client, staff):
    for path in ("/admin/pengguna", f"/admin/pengguna/{staff['clerk']}/sandi"):
        response = client.get(path)
        assert response.status_code == 303 and "/masuk" in response.headers["Location"]
    assert client.post(f"/admin/pengguna/{staff['clerk']}/nonaktifkan").status_code in (303, 400)


def test_posts_without_csrf_are_refused(app, kabid, staff):
    assert kabid.post(f"/admin/pengguna/{staff['clerk']}/nonaktifkan").status_code == 400
    assert kabid.post(f"/admin/pengguna/{staff['clerk']}/sandi",
                      data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 400
    assert kabid.post("/admin/pengguna", data={"username": "budi", "full_name": "Budi", "role": "clerk",
                                               "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
                      ).status_code == 400
    assert _user(app, "clerk").active and _user(app, "budi") is None and _audit(app) == []


# --- valid HTML ----------------------------------------------------------------------------------------------

def test_pages_are_valid_html(app, kabid, root, staff, tmp_path):
    with app.app_context():
        accounts.set_active(db.session.get(User, staff["clerk2"]), False)
    pages = {
        "list": kabid.get("/admin/pengguna"),
        "list-admin": root.get("/admin/pengguna?peran=operator"),
        "create-errors": _create(kabid, username="clerk", full_name="", role="operator", password="x"),
        "password": kabid.get(f"/admin/pengguna/{staff['clerk']}/sandi"),
        "password-errors": _reset(kabid, staff["clerk"], NEW_PASSWORD, "lain"),
        "refused": _post(kabid, f"/admin/pengguna/{staff['root']}/nonaktifkan"),
        "self": _post(kabid, f"/admin/pengguna/{staff['kabid']}/nonaktifkan"),
        "sessions": kabid.get(f"/admin/pengguna/{staff['kabid']}/sesi"),
        "sessions-none": kabid.get(f"/admin/pengguna/{staff['clerk']}/sesi"),
        "my-sessions": kabid.get("/akun/sesi"),
    }
    assert [r.status_code for r in pages.values()] == [200, 200, 422, 200, 422, 403, 409, 200, 200, 200]
    nu_validate(tmp_path, pages)
