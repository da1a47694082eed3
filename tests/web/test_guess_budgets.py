"""A stranger cannot lock an owner out: PIN budgets per reference and client (capped per reference), and
wrong-password budgets per username and client with one answer for every name (issue 16, findings 4 and 6)."""

from __future__ import annotations

import re
import time

from portal.services import accounts
from tests.web.apply_helpers import csrf
from tests.web.test_track import submitted_kk, track

PASSWORD = "rahasia-loket-1"
STRANGER, OWNER, THIRD = "198.51.100.9", "192.0.2.7", "203.0.113.5"


def browser(app, address: str):
    """Return a new test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def test_a_stranger_with_the_link_cannot_spend_the_owners_pin_budget(app, client, regions):
    reference, pin = submitted_kk(client)
    stranger = browser(app, STRANGER)
    statuses = [track(stranger, reference, _wrong(pin)).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]  # TRACK_REFERENCE_LIMIT: 5 per 15 minutes for this client
    assert track(stranger, reference, pin).status_code == 429  # even the right PIN, from the stranger
    owner = browser(app, OWNER)
    response = track(owner, reference, pin)
    assert response.status_code == 303 and response.headers["Location"] == f"/lacak/{reference}"


def test_all_clients_together_are_capped_per_reference(app, client, regions):
    app.config["TRACK_REFERENCE_TOTAL_LIMIT"] = "4 per day"
    reference, pin = submitted_kk(client)
    statuses = [track(browser(app, f"198.51.100.{n}"), reference, _wrong(pin)).status_code for n in range(1, 5)]
    assert statuses == [422] * 4
    assert track(browser(app, THIRD), reference, _wrong(pin)).status_code == 429
    other, other_pin = submitted_kk(app.test_client(), nik="3317010101900002")
    assert track(browser(app, THIRD), other, other_pin).status_code == 303  # another reference: its own budget


def _users(app):
    with app.app_context():
        accounts.create_user("clerk", "Petugas Satu", "clerk", PASSWORD)


def sign_in(client, username, password):
    return client.post("/masuk", data={"csrf_token": csrf(client, "/masuk"), "username": username,
                                       "password": password})


def test_locked_known_and_unknown_usernames_get_one_answer(app, regions):
    _users(app)
    answers = {}
    for username, address in (("clerk", STRANGER), ("operator.tidakada", THIRD)):
        client = browser(app, address)
        first = sign_in(client, username, "salah-sekali-1").get_data(as_text=True)
        assert "Nama pengguna atau kata sandi salah.</a>" in first
        for _ in range(4):
            sign_in(client, username, "salah-sekali-1")
        page = sign_in(client, username, "salah-sekali-1").get_data(as_text=True)
        summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
        answers[username] = re.sub(r"\d\d\.\d\d", "HH.MM", summary)  # the wait may end a minute apart
        assert "Nama pengguna atau kata sandi salah, terlalu sering dari perangkat ini. Coba lagi setelah" in page
        assert "dikunci" not in page
    assert answers["clerk"] == answers["operator.tidakada"]


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(app, regions):
    _users(app)
    stranger = browser(app, STRANGER)
    for _ in range(6):
        sign_in(stranger, "clerk", "salah-sekali-1")
    assert "terlalu sering" in sign_in(stranger, "clerk", PASSWORD).get_data(as_text=True)  # the stranger waits
    owner = browser(app, OWNER)
    response = sign_in(owner, "clerk", PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/petugas"


def test_the_wait_ends(app, regions):
    app.config["SIGN_IN_ACCOUNT_LIMIT"] = "2 per 1 second"
    _users(app)
    client = browser(app, OWNER)
    assert [sign_in(client, "clerk", "salah-sekali-1").status_code for _ in range(2)] == [422, 422]
    assert "terlalu sering" in sign_in(client, "clerk", PASSWORD).get_data(as_text=True)
    time.sleep(1.1)
    assert sign_in(client, "clerk", PASSWORD).status_code == 303


def test_a_disabled_account_is_named_only_to_whoever_knows_its_password(app, regions):
    _users(app)
    with app.app_context():
        accounts.set_active(accounts.find_user("clerk"), False)
    client = browser(app, OWNER)
    wrong = sign_in(client, "clerk", "salah-sekali-1").get_data(as_text=True)
    assert "Nama pengguna atau kata sandi salah." in wrong and "dinonaktifkan" not in wrong
    assert "dinonaktifkan" in sign_in(client, "clerk", PASSWORD).get_data(as_text=True)
