"""Signing in and out, lockout, idle expiry, roles on every staff page, and the account commands."""

from datetime import timedelta

import pytest

from portal.services import accounts
from tests.web.apply_helpers import csrf
from tests.web.staff_helpers import sends_to_sign_in

PASSWORD = "rahasia-loket-1"


@pytest.fixture
def users(app, regions):
    with app.app_context():
        accounts.create_user("op.sumber", "Operator Ronggo Mulyo", "operator", PASSWORD, "33.17.01.2001")
        accounts.create_user("clerk", "Petugas Satu", "clerk", PASSWORD)
        accounts.create_user("kabid", "Kepala Bidang", "supervisor", PASSWORD)
    return app


def sign_in(client, username, password=PASSWORD, next_path=None):
    path = "/masuk" + (f"?next={next_path}" if next_path else "")
    return client.post(path, data={"csrf_token": csrf(client, "/masuk"), "username": username, "password": password})


@pytest.mark.parametrize("username, home", [("op.sumber", "/desa"), ("clerk", "/petugas"), ("kabid", "/admin")])
def test_sign_in_goes_to_the_roles_home(client, users, username, home):
    response = sign_in(client, username)
    assert response.status_code == 303 and response.headers["Location"] == home
    page = client.get(home).get_data(as_text=True)
    assert "Keluar" in page


def test_wrong_password_and_unknown_user_get_the_same_message(client, users):
    for username, password in (("clerk", "salah-sekali-1"), ("nobody", PASSWORD)):
        response = sign_in(client, username, password)
        assert response.status_code == 422
        assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    assert client.get("/petugas").status_code == 303


def test_sign_in_attempts_are_rate_limited_per_client(app, client, users):
    app.config["SIGN_IN_LIMIT"] = "3 per minute"
    statuses = [sign_in(client, "clerk", "salah-sekali-1").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_successful_sign_ins_do_not_count_towards_the_limit(app, users):
    app.config["SIGN_IN_LIMIT"] = "3 per minute"
    for _ in range(5):  # a whole office behind one address signing in
        browser = app.test_client()
        assert sign_in(browser, "clerk").status_code == 303
    browser = app.test_client()
    statuses = [sign_in(browser, "clerk", "salah-sekali-1").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    page = sign_in(browser, "clerk").get_data(as_text=True)  # refused too once the limit is reached
    assert "Terlalu banyak percobaan masuk. Coba lagi dalam 1 menit." in page


def test_disabled_account_cannot_sign_in_and_its_sessions_end(app, client, users, runner):
    sign_in(client, "clerk")
    assert client.get("/petugas").status_code == 200
    assert "Disabled clerk" in runner.invoke(args=["user", "disable", "clerk"]).output
    assert client.get("/petugas").status_code == 303  # the open session ended
    assert "dinonaktifkan" in sign_in(client, "clerk").get_data(as_text=True)
    runner.invoke(args=["user", "disable", "clerk", "--enable"])
    assert sign_in(client, "clerk").status_code == 303


def test_password_change_ends_other_sessions(app, client, users, runner):
    sign_in(client, "kabid")
    result = runner.invoke(args=["user", "password", "kabid"], input="kata-sandi-baru-2\nkata-sandi-baru-2\n")
    assert result.exit_code == 0, result.output
    assert client.get("/admin").status_code == 303
    assert sign_in(client, "kabid", "kata-sandi-baru-2").status_code == 303


def test_idle_session_expires_on_the_server(app, client, users):
    from portal.extensions import db
    from portal.models import BrowserSession

    sign_in(client, "clerk")
    assert client.get("/petugas").status_code == 200
    with app.app_context():  # 31 minutes without a request, as the server's row records it
        for row in db.session.scalars(db.select(BrowserSession)):
            row.seen_at -= timedelta(minutes=31)
        db.session.commit()
    response = client.get("/petugas")
    assert response.status_code == 303 and "/masuk" in response.headers["Location"]
    assert "Sesi Anda berakhir" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_sign_out_needs_a_post_with_csrf(client, users):
    sign_in(client, "clerk")
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400
    assert client.post("/keluar", data={"csrf_token": csrf(client, "/petugas")}).status_code == 303
    assert client.get("/petugas").status_code == 303


def test_next_goes_back_only_within_the_site(client, users):
    assert sign_in(client, "clerk", next_path="/petugas").headers["Location"] == "/petugas"
    other = client.application.test_client()
    assert sign_in(other, "clerk", next_path="https://evil.example/").headers["Location"] == "/petugas"


@pytest.mark.parametrize("next_path", ["/petugas%0D%0ASet-Cookie:%20x=1", "/jadwal%0Aenv", "/%5Cevil.example/",
                                       "/petugas%00"], ids=["crlf", "lf", "backslash", "nul"])
def test_an_unsafe_next_after_sign_in_goes_to_the_roles_home(client, users, next_path):
    """A line break used to reach the Location header and answer 500; a backslash reads as a slash."""
    response = sign_in(client, "clerk", next_path=next_path)
    assert response.status_code == 303 and response.headers["Location"] == "/petugas"
    assert client.get(f"/masuk?next={next_path}").headers["Location"] == "/petugas"  # already signed in


ROUTES = ["/desa", "/petugas", "/admin"]
ALLOWED = {"op.sumber": {"/desa"}, "clerk": {"/petugas"}, "kabid": {"/petugas", "/admin"}}


@pytest.mark.parametrize("route", ROUTES)
def test_staff_pages_send_anonymous_visitors_to_sign_in(client, users, route):
    assert sends_to_sign_in(client.get(route))


@pytest.mark.parametrize("username", list(ALLOWED))
def test_role_matrix(app, users, username):
    client = app.test_client()
    sign_in(client, username)
    for route in ROUTES:
        expected = 200 if route in ALLOWED[username] else 403
        assert client.get(route).status_code == expected, (username, route)


def test_user_commands(app, runner, regions):
    created = runner.invoke(args=["user", "create", "op.lasem", "--name", "Operator Babagan", "--role", "operator",
                                  "--desa", "33.17.14.2005"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.exit_code == 0 and "Created operator op.lasem for 33.17.14.2005" in created.output
    assert "taken" in runner.invoke(args=["user", "create", "op.lasem", "--name", "x", "--role", "clerk"],
                                    input=f"{PASSWORD}\n{PASSWORD}\n").output
    assert "needs the code of their desa" in runner.invoke(
        args=["user", "create", "op2", "--name", "x", "--role", "operator"], input=f"{PASSWORD}\n{PASSWORD}\n").output
    assert "at least 10" in runner.invoke(args=["user", "create", "c2", "--name", "x", "--role", "clerk"],
                                          input="pendek\npendek\n").output
    listing = runner.invoke(args=["user", "list"]).output
    assert "op.lasem" in listing and "operator" in listing and "33.17.14.2005" in listing
    with app.app_context():
        stored = accounts.find_user("OP.LASEM")
        assert stored.password_hash != PASSWORD and PASSWORD not in stored.password_hash


def test_demo_accounts_are_seeded_once(app, runner, regions):
    first = runner.invoke(args=["seed", "--demo"]).output
    assert "Added 4 demo accounts" in first
    assert "Added 0 demo accounts" in runner.invoke(args=["seed", "--demo"]).output
    assert "demo accounts" not in runner.invoke(args=["seed"]).output


def test_production_config_hashes_passwords_and_pins_with_scrypt(schema, tmp_path):
    """The tests run with a cheap hash (tests/conftest.py); a deployment's config keeps scrypt, and an account
    and an application made under it carry scrypt hashes that still check."""
    from portal import create_app
    from portal import hashing
    from portal.domain.reference import hash_pin, pin_matches

    production = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": schema,
                             "STORAGE_URL": f"file://{tmp_path / 'files'}"})
    assert not production.config["TESTING"]
    assert production.config["PASSWORD_HASH_METHOD"] == hashing.STRONG_METHOD == "scrypt"
    with production.test_request_context():
        stored = hashing.make_hash(PASSWORD)
        pin = hash_pin("012345", hashing.method())
        dummy = hashing.dummy_hash()
    assert stored.startswith("scrypt:32768:8:1$") and pin.startswith("scrypt:") and dummy.startswith("scrypt:")
    assert hashing.matches(stored, PASSWORD) and not hashing.matches(stored, PASSWORD + "x")
    assert pin_matches(pin, "012345")


def test_tests_use_a_cheap_hash_and_a_deployment_cannot(app, tmp_path):
    from portal import create_app

    assert app.config["TESTING"] and app.config["PASSWORD_HASH_METHOD"].startswith("pbkdf2:sha256:")
    for weak in ("pbkdf2:sha256:1", "scrypt:1024:8:1", "md5"):
        with pytest.raises(ValueError, match="PASSWORD_HASH_METHOD"):
            create_app({"SECRET_KEY": "x", "PASSWORD_HASH_METHOD": weak,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    for strong in ("scrypt", "scrypt:65536:8:1", "pbkdf2:sha256:1000000"):
        assert create_app({"SECRET_KEY": "x", "PASSWORD_HASH_METHOD": strong,
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}).config[
            "PASSWORD_HASH_METHOD"] == strong


def test_the_footer_link_takes_signed_in_staff_home_instead_of_offering_a_sign_in(client, users):
    """The footer said "Masuk petugas" to staff who were signed in already (issue 19)."""
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/masuk">Halaman petugas</a>' in page and "Masuk petugas" not in page
    assert client.get("/masuk").status_code == 200  # a visitor gets the sign-in form
    sign_in(client, "clerk")
    page = client.get("/jadwal").get_data(as_text=True)
    assert '<a href="/masuk">Halaman petugas</a>' in page and "Masuk petugas" not in page
    response = client.get("/masuk")
    assert response.status_code == 302 and response.headers["Location"] == "/petugas"
