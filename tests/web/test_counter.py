"""The counter `/petugas/loket`: choosing a counter, calling order, recall, no-show, served, refusals, roles, CSRF."""

from __future__ import annotations

import re
from datetime import time

import pytest

from portal.domain.hours import Window
from portal.extensions import db
from portal.models import QueueTicket, Region
from portal.services import accounts, queue
from tests.conftest import wib
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate

PASSWORD = "rahasia-loket-1"
PAGE = "/petugas/loket"


USERS = {"clerk": ("Petugas Satu", "clerk"), "clerk2": ("Petugas Dua", "clerk"),
         "kabid": ("Kepala Bidang", "supervisor"), "op.sumber": ("Operator", "operator")}


@pytest.fixture
def staff(app):
    """The app with a desa for the village operator (added by hand: no region seeding); accounts come on use."""
    with app.app_context():
        db.session.add(Region(code="33.17.01", name="Sumber", kind="kecamatan"))
        db.session.add(Region(code="33.17.01.2001", name="Ronggo Mulyo", kind="desa", parent_code="33.17.01"))
        db.session.commit()
    return app


def sign_in(client, username):
    """Create the account `username` of `USERS` if needed (hashing is slow: only those a test uses), sign in."""
    with client.application.app_context():
        if accounts.find_user(username) is None:
            full_name, role = USERS[username]
            accounts.create_user(username, full_name, role, PASSWORD,
                                 "33.17.01.2001" if role == "operator" else None)
    response = client.post("/masuk", data={"csrf_token": csrf(client, "/masuk"), "username": username,
                                           "password": PASSWORD})
    assert response.status_code == 303
    return client


def open_counter(client, number, purposes=("KTP",)):
    """Choose counter `number` serving `purposes`; return the response (303 to the counter when valid)."""
    return client.post(f"{PAGE}/atur", data={"csrf_token": csrf(client, f"{PAGE}/atur"), "number": str(number),
                                             "purposes": list(purposes)})


def clerk_at(app, username, number, purposes=("KTP",)):
    """Return a new client signed in as `username` and sitting at counter `number`."""
    client = sign_in(app.test_client(), username)
    assert open_counter(client, number, purposes).headers["Location"] == PAGE
    return client


def issue(app, clock, at, window_hour, channel="online", nik=None, purpose="KTP"):
    """Issue a ticket at the instant `at` for the hour starting `window_hour` today; return its label."""
    clock.now = at
    with app.app_context():
        ticket = queue.issue(queue.purpose(purpose), at.date(), Window(time(window_hour), time(window_hour + 1)),
                             at, channel=channel, nik=nik)
        return ticket.label


def nik(n: int) -> str:
    return f"331701410190{n:04d}"


def page_token(client) -> str:
    return csrf(client, PAGE)


def call_next(client, headers=None):
    """Press "Panggil berikutnya" as the page shows it (with the ticket it saw being served)."""
    html = client.get(PAGE).get_data(as_text=True)
    current = re.search(r'name="current" type="hidden" value="(\d*)"', html).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"{PAGE}/panggil", data={"csrf_token": token, "current": current}, headers=headers or {})


def act(client, action, ticket_id, headers=None):
    """Post a ticket action (`ulang`, `tidak-hadir`, `selesai`) for ticket `ticket_id`."""
    return client.post(f"{PAGE}/{action}", data={"csrf_token": page_token(client), "ticket": str(ticket_id)},
                       headers=headers or {})


def serving(app, number):
    """Return (label, id) of the ticket called at counter `number` now, or None."""
    from portal.services import calendar
    with app.app_context():
        ticket = queue.current_at_counter(number, calendar.now())
        return (ticket.label, ticket.id) if ticket else None


def ticket_row(app, label):
    with app.app_context():
        prefix, number = label.split("-")
        return db.session.query(QueueTicket).filter_by(prefix=prefix, number=int(number)).one()


def upcoming(html: str) -> list[str]:
    return re.findall(r'<span class="upcoming-label">([A-Z]-\d+)</span>', html)


# Choosing the counter


def test_a_clerk_first_chooses_a_counter_and_its_purposes(app, staff, clock):
    client = sign_in(app.test_client(), "clerk")
    assert client.get(PAGE).headers["Location"] == f"{PAGE}/atur"
    form = client.get(f"{PAGE}/atur").get_data(as_text=True)
    assert "Pengajuan KTP-el" in form and "Pengambilan dokumen" in form and 'value="20"' in form
    response = open_counter(client, 4, ("KK", "KTP"))
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    with client.session_transaction() as session:
        assert session["counter"] == {"number": 4, "purposes": ["KTP", "KK"]}  # in the configured order
    html = client.get(PAGE).get_data(as_text=True)
    assert "<h1>Loket 4</h1>" in html and "Pengajuan KTP-el, Pengajuan Kartu Keluarga" in html
    again = client.get(f"{PAGE}/atur").get_data(as_text=True)
    assert '<option value="4" selected>' in again and 'value="KK" checked' in again


@pytest.mark.parametrize("number, purposes, message", [
    ("", ("KTP",), "Pilih nomor loket."),
    ("21", ("KTP",), "Pilih nomor loket."),
    ("3", (), "Pilih paling sedikit satu keperluan."),
    ("3", ("NOPE",), "Pilih keperluan dari daftar."),
])
def test_a_bad_choice_is_explained_and_kept(app, staff, number, purposes, message):
    client = sign_in(app.test_client(), "clerk")
    response = open_counter(client, number, purposes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and "Kesalahan:" in html
    if number == "3":
        assert '<option value="3" selected>' in html
    with client.session_transaction() as session:
        assert "counter" not in session


def test_closing_the_counter_ends_the_shift_and_keeps_the_clerk_signed_in(app, staff, clock):
    client = clerk_at(app, "clerk", 3)
    html = client.get(PAGE).get_data(as_text=True)
    # One sign-out, in the staff menu; the counter's own button closes the counter.
    assert html.count('action="/keluar"') == 1 and html.index('action="/keluar"') < html.index('id="counter"')
    assert f'<form method="post" action="{PAGE}/tutup">' in html and "Tutup loket</button>" in html
    response = client.post(f"{PAGE}/tutup", data={"csrf_token": page_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == f"{PAGE}/atur"
    with client.session_transaction() as session:
        assert "counter" not in session and "_user_id" in session
    assert client.get(PAGE).headers["Location"] == f"{PAGE}/atur"
    choice = client.get(f"{PAGE}/atur").get_data(as_text=True)
    assert "Loket 3 ditutup. Anda masih masuk; pilih loket bila ingin melayani lagi." in choice
    assert "Kembali ke Loket 3" not in choice and "<option value=\"3\" selected>" not in choice
    assert client.get("/petugas").status_code == 200


def test_a_counter_still_serving_a_ticket_is_not_closed(app, staff, clock):
    label = issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 3)
    call_next(client)
    response = client.post(f"{PAGE}/tutup", data={"csrf_token": page_token(client)})
    assert response.status_code == 409
    assert (f"{label} masih dilayani di Loket 3. Tandai selesai atau tidak hadir sebelum menutup loket."
            in response.get_data(as_text=True))
    with client.session_transaction() as session:
        assert session["counter"]["number"] == 3
    assert ticket_row(app, label).state == "called"


# Calling order


def test_calling_order_booked_of_the_hour_then_walk_ins_and_later_hours_wait(app, staff, clock):
    booked_now = issue(app, clock, wib(2026, 12, 3, 8, 10), 9, nik=nik(1))          # A-001, 09-10
    booked_later = issue(app, clock, wib(2026, 12, 3, 8, 20), 10, nik=nik(2))       # A-002, 10-11
    walk_in = issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    booked_late = issue(app, clock, wib(2026, 12, 3, 9, 6), 9, nik=nik(3))          # A-004, 09-10
    walk_in_2 = issue(app, clock, wib(2026, 12, 3, 9, 7), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 1)

    html = client.get(PAGE).get_data(as_text=True)
    assert upcoming(html) == [booked_now, booked_late, walk_in, walk_in_2]
    assert booked_later not in upcoming(html)
    assert re.search(r"Pengajuan KTP-el</th><td class=\"num\">4</td><td class=\"num\">1</td>", html)

    called = []
    for _ in range(4):
        assert call_next(client).status_code == 303
        called.append(serving(app, 1)[0])
    assert called == [booked_now, booked_late, walk_in, walk_in_2]
    assert ticket_row(app, booked_now).state == "served"  # "Selesai & panggil berikutnya" finished it

    assert call_next(client).status_code == 303  # only the 10:00 booking is left: not callable yet
    html = client.get(PAGE).get_data(as_text=True)
    assert "Tidak ada antrean menunggu." in html and serving(app, 1) is None
    assert ticket_row(app, booked_later).state == "waiting"
    assert ticket_row(app, walk_in_2).state == "served"

    clock.now = wib(2026, 12, 3, 10, 0)
    assert upcoming(client.get(PAGE).get_data(as_text=True)) == [booked_later]
    call_next(client)
    assert serving(app, 1)[0] == booked_later


def test_the_counter_shows_the_ticket_it_serves(app, staff, clock):
    label = issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 12)
    client = clerk_at(app, "clerk", 2)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Belum ada nomor yang dipanggil di loket ini." in html and "Panggil berikutnya</button>" in html
    response = call_next(client)
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    html = client.get(PAGE).get_data(as_text=True)
    assert f'<p class="ticket-big">{label}</p>' in html
    assert f"{label} dipanggil ke Loket 2." in html
    assert "09.00–10.00 WIB" in html and "Datang langsung" in html and "09.12 WIB" in html
    assert "Selesai & panggil berikutnya</button>" in html
    assert "dipanggil ke Loket 2." not in client.get(PAGE).get_data(as_text=True)  # the message shows once


def test_two_counters_never_get_the_same_ticket(app, staff, clock):
    labels = [issue(app, clock, wib(2026, 12, 3, 9, 1 + n), 9, channel="walk_in") for n in range(3)]
    clock.now = wib(2026, 12, 3, 9, 10)
    first, second = clerk_at(app, "clerk", 1, ("KTP",)), clerk_at(app, "clerk2", 2, ("KTP", "KK"))
    call_next(first)
    call_next(second)
    assert serving(app, 1)[0] == labels[0] and serving(app, 2)[0] == labels[1]
    # A counter whose page is stale still gets the next free ticket, never one already called.
    with app.app_context():
        from portal.services import calendar
        stale = queue.waiting_in_order(["KTP"], calendar.now())
        assert [t.label for t in stale] == [labels[2]]
        taken = queue.call_next(3, ["KTP"], calendar.now(), None)
        assert taken.label == labels[2]
        assert queue.call_next(4, ["KTP"], calendar.now(), None) is None
    counters = {ticket_row(app, label).counter for label in labels}
    assert counters == {1, 2, 3}


def test_recall_increments_and_keeps_the_ticket(app, staff, clock):
    label = issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 1)
    call_next(client)
    ticket_id = serving(app, 1)[1]
    for minute in (12, 14):
        clock.now = wib(2026, 12, 3, 9, minute)
        response = act(client, "ulang", ticket_id)
        assert response.status_code == 303 and response.headers["Location"] == PAGE
    row = ticket_row(app, label)
    assert row.recalls == 2 and row.state == "called"
    assert row.called_at == wib(2026, 12, 3, 9, 14)
    html = client.get(PAGE).get_data(as_text=True)
    assert "dipanggil ulang 2 kali" in html and f"{label} dipanggil ulang." in html


@pytest.mark.parametrize("action, state, message", [
    ("tidak-hadir", "no_show", "ditandai tidak hadir."),
    ("selesai", "served", "selesai dilayani."),
])
def test_no_show_and_served_finish_the_ticket(app, staff, clock, action, state, message):
    label = issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 1)
    call_next(client)
    clock.now = wib(2026, 12, 3, 9, 20)
    response = act(client, action, serving(app, 1)[1])
    assert response.status_code == 303
    row = ticket_row(app, label)
    assert row.state == state and row.finished_at == wib(2026, 12, 3, 9, 20)
    html = client.get(PAGE).get_data(as_text=True)
    assert f"{label} {message}" in html and "Belum ada nomor yang dipanggil di loket ini." in html


# Refusals


def _called_by_counter_one(app, clock, other_counter: int):
    """Issue a walk-in ticket, have clerk at Loket 1 call it; return (its label, that clerk, clerk2 at
    `other_counter`, the ticket's id)."""
    label = issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    first, other = clerk_at(app, "clerk", 1), clerk_at(app, "clerk2", other_counter)
    call_next(first)
    return label, first, other, serving(app, 1)[1]


def test_acting_on_another_counters_ticket_is_refused(app, staff, clock):
    label, _first, second, ticket_id = _called_by_counter_one(app, clock, 2)
    for action in ("ulang", "tidak-hadir", "selesai"):
        response = act(second, action, ticket_id)
        html = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Nomor itu tidak sedang dipanggil di Loket 2 hari ini." in html and "<h1>Loket 2</h1>" in html
    for bad in ("", "abc", "99999999999999999999"):
        assert act(second, "selesai", bad).status_code == 409
    row = ticket_row(app, label)
    assert row.state == "called" and row.recalls == 0 and row.counter == 1


def test_a_ticket_finished_by_another_clerk_is_refused(app, staff, clock):
    label, first, same_counter, ticket_id = _called_by_counter_one(app, clock, 1)
    assert act(same_counter, "tidak-hadir", ticket_id).status_code == 303
    response = act(first, "selesai", ticket_id)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"{label} ditandai tidak hadir, mungkin oleh petugas lain." in html
    assert ticket_row(app, label).state == "no_show"
    assert act(first, "ulang", ticket_id).status_code == 409


def test_yesterdays_ticket_still_marked_called_is_refused(app, staff, clock):
    issue(app, clock, wib(2026, 12, 2, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 2, 9, 10)
    client = clerk_at(app, "clerk", 1)
    call_next(client)
    old_id = serving(app, 1)[1]
    clock.now = wib(2026, 12, 3, 9, 10)
    assert serving(app, 1) is None
    response = act(client, "selesai", old_id)
    assert response.status_code == 409 and "tidak sedang dipanggil di Loket 1 hari ini" in response.get_data(
        as_text=True)


def test_a_stale_call_next_does_not_finish_the_ticket_just_called(app, staff, clock):
    labels = [issue(app, clock, wib(2026, 12, 3, 9, 1 + n), 9, channel="walk_in") for n in range(2)]
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 1)
    stale = {"csrf_token": page_token(client), "current": ""}
    assert client.post(f"{PAGE}/panggil", data=stale).status_code == 303
    response = client.post(f"{PAGE}/panggil", data=stale)  # a double click, or a second tab
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"loket ini sekarang melayani {labels[0]}" in html
    assert ticket_row(app, labels[0]).state == "called" and ticket_row(app, labels[1]).state == "waiting"


# htmx


def test_htmx_gets_the_counter_block_and_refusals_as_a_swappable_200(app, staff, clock):
    issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 1)
    headers = {"HX-Request": "true", "HX-Target": "counter"}
    posted = call_next(client, headers)
    assert posted.status_code == 303 and posted.headers["Location"] == PAGE  # the browser follows it with htmx's headers
    fragment = client.get(PAGE, headers=headers)
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="counter"') and "<html" not in html and "<footer" not in html
    assert 'data-hx-post="/petugas/loket/panggil"' in html and 'data-hx-target="#counter"' in html
    assert fragment.headers["Cache-Control"] == "no-store" and "HX-Target" in fragment.headers["Vary"]
    refused = act(client, "selesai", 12345, headers)
    assert refused.status_code == 200 and "<html" not in refused.get_data(as_text=True)
    assert "tidak sedang dipanggil" in refused.get_data(as_text=True)
    whole = client.get(PAGE).get_data(as_text=True)
    assert "<html" in whole and 'id="counter"' in whole


# Roles and CSRF


def test_anonymous_visitors_are_sent_to_sign_in(app, staff):
    client = app.test_client()
    for path in (PAGE, f"{PAGE}/atur"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk?next=/petugas/loket")
    token = csrf(client, "/masuk")
    for path in ("panggil", "ulang", "tidak-hadir", "selesai", "atur", "tutup"):
        response = client.post(f"{PAGE}/{path}", data={"csrf_token": token, "ticket": "1", "number": "1"})
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk")


def test_operators_are_forbidden_and_supervisors_may_serve(app, staff, clock):
    operator = sign_in(app.test_client(), "op.sumber")
    assert operator.get(PAGE).status_code == 403 and operator.get(f"{PAGE}/atur").status_code == 403
    token = csrf(operator, "/desa")
    for path in ("panggil", "ulang", "tidak-hadir", "selesai", "atur", "tutup"):
        assert operator.post(f"{PAGE}/{path}", data={"csrf_token": token, "ticket": "1"}).status_code == 403
    supervisor = clerk_at(app, "kabid", 5)
    assert supervisor.get(PAGE).status_code == 200


def test_every_counter_post_needs_a_csrf_token(app, staff, clock):
    app.config["WTF_CSRF_ENABLED"] = True
    issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    clock.now = wib(2026, 12, 3, 9, 10)
    client = clerk_at(app, "clerk", 1)
    for path, data in (("panggil", {"current": ""}), ("atur", {"number": "2", "purposes": "KK"}), ("tutup", {})):
        for headers in ({}, {"HX-Request": "true", "HX-Target": "counter"}):
            assert client.post(f"{PAGE}/{path}", data=data, headers=headers).status_code == 400
    assert serving(app, 1) is None
    call_next(client)
    ticket_id = serving(app, 1)[1]
    for path in ("ulang", "tidak-hadir", "selesai"):
        assert client.post(f"{PAGE}/{path}", data={"ticket": str(ticket_id)}).status_code == 400
        assert client.post(f"{PAGE}/{path}", data={"ticket": str(ticket_id), "csrf_token": "forged"}).status_code == 400
    row = ticket_row(app, serving(app, 1)[0])
    assert row.state == "called" and row.recalls == 0
    with client.session_transaction() as session:
        assert session["counter"]["number"] == 1


def test_counter_page_carries_no_inline_script_or_style(app, staff, clock):
    issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    client = clerk_at(app, "clerk", 1)
    call_next(client)
    html = client.get(PAGE).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html
    assert re.search(r'<link rel="stylesheet" href="/static/css/queue-board\.[0-9a-f]{10}\.css">', html)


def test_counter_pages_are_valid_html(app, staff, clock, tmp_path):
    issue(app, clock, wib(2026, 12, 3, 9, 5), 9, channel="walk_in")
    client = sign_in(app.test_client(), "clerk")
    pages = {"setup": client.get(f"{PAGE}/atur"), "setup-error": open_counter(client, "", ())}
    open_counter(client, 1, ("KTP", "PICKUP"))
    pages["idle"] = client.get(PAGE)
    call_next(client)
    pages["serving"] = client.get(PAGE)
    pages["refused"] = act(client, "selesai", 999)
    client.set_cookie("bahasa", "en")
    pages["serving-en"] = client.get(PAGE)
    nu_validate(tmp_path, pages)
