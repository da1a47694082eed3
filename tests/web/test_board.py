"""The lobby board `/papan`: serving per counter, the last five called, waiting counts, htmx polling, no cache."""

from __future__ import annotations

import re
from datetime import time

from portal.domain.hours import Window
from portal.domain.queue import DEFAULT_PURPOSES
from portal.extensions import db
from portal.models import QueueTicket
from portal.services import queue
from tests.conftest import wib
from tests.web.html_helpers import nu_validate

BOARD = "/papan"
FRAGMENT = {"HX-Request": "true", "HX-Target": "board"}


def walk_ins(app, clock, count, purpose="KTP", minute=1):
    """Issue `count` walk-in tickets for `purpose` from 09:`minute` on, a minute apart; return their labels."""
    labels = []
    with app.app_context():
        for n in range(count):
            clock.now = wib(2026, 12, 3, 9, minute + n)
            labels.append(queue.issue(queue.purpose(purpose), clock.now.date(), Window(time(9), time(10)),
                                      clock.now, channel="walk_in").label)
    return labels


def call(app, clock, counter, purposes, at):
    """Call the next ticket at `counter` at the instant `at`; return its label."""
    clock.now = at
    with app.app_context():
        return queue.call_next(counter, list(purposes), at, None).label


def serving_cards(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<span class="board-counter-name">Loket (\d+)</span>\s*<span class="board-ticket">([A-Z]-\d+)'
                      r'</span>\s*<span class="board-purpose">([^<]+)</span>', html)


def last_called(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="board-call-ticket">([A-Z]-\d+)</span> <span class="board-call-counter">'
                      r'Loket (\d+)</span>', html)


def test_the_board_shows_who_is_served_where_and_who_waits(app, client, clock):
    ktp = walk_ins(app, clock, 3)
    pickup = walk_ins(app, clock, 2, "PICKUP", minute=10)
    call(app, clock, 1, ["KTP"], wib(2026, 12, 3, 9, 20))
    call(app, clock, 3, ["PICKUP"], wib(2026, 12, 3, 9, 21))
    clock.now = wib(2026, 12, 3, 9, 21, 30)
    response = client.get(BOARD)  # public: nobody signs in
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert serving_cards(html) == [("1", ktp[0], "Pengajuan KTP-el"), ("3", pickup[0], "Pengambilan dokumen")]
    assert last_called(html) == [(pickup[0], "3"), (ktp[0], "1")]
    waiting = dict((name, int(count)) for count, name in re.findall(
        r'<span class="board-count">(\d+)</span> <span class="board-queue-name"><span class="board-prefix">'
        r'[A-Z]</span> ([^<]+)</span>', html))
    assert waiting["Pengajuan KTP-el"] == 2 and waiting["Pengambilan dokumen"] == 1
    assert waiting["Pengajuan Kartu Keluarga"] == 0 and len(waiting) == len(DEFAULT_PURPOSES)  # every purpose
    assert "Kantor buka" in html and "Pengajuan buka sampai 12.00\u00a0WIB" in html  # the office banner
    assert "Kamis, 3 Desember 2026" in html and "09.21 WIB" in html
    assert "Halaman petugas" not in html and '<footer' not in html  # full screen, no site chrome


def test_the_most_recent_call_is_highlighted_and_flashes_once(app, client, clock):
    walk_ins(app, clock, 2)
    first = call(app, clock, 1, ["KTP"], wib(2026, 12, 3, 9, 20))
    second = call(app, clock, 2, ["KTP"], wib(2026, 12, 3, 9, 22))
    clock.now = wib(2026, 12, 3, 9, 22, 3)
    html = client.get(BOARD).get_data(as_text=True)
    assert re.search(r'<li class="board-counter is-latest is-fresh">\s*<span class="board-counter-name">Loket 2',
                     html)
    assert re.search(rf'<li class="board-call is-latest is-fresh"><span class="board-call-ticket">{second}', html)
    assert re.search(rf'<li class="board-counter">\s*<span class="board-counter-name">Loket 1</span>\s*'
                     rf'<span class="board-ticket">{first}', html)
    clock.now = wib(2026, 12, 3, 9, 23)  # a later poll: still highlighted, no longer animated
    later = client.get(BOARD).get_data(as_text=True)
    assert "is-latest" in later and "is-fresh" not in later
    with app.app_context():  # a recall puts the ticket on top again
        queue.recall(db.session.query(QueueTicket).filter_by(number=1).one(), clock.now)
    recalled = client.get(BOARD).get_data(as_text=True)
    assert last_called(recalled)[0] == (first, "1") and "is-fresh" in recalled


def test_only_the_last_five_calls_are_listed(app, client, clock):
    labels = walk_ins(app, clock, 7)
    for n in range(7):
        call(app, clock, 1 + n % 2, ["KTP"], wib(2026, 12, 3, 9, 20 + n))
    html = client.get(BOARD).get_data(as_text=True)
    assert [label for label, _counter in last_called(html)] == list(reversed(labels))[:5]
    # Each counter's earlier tickets were finished as served by its next call: one card per counter.
    assert [(counter, label) for counter, label, _purpose in serving_cards(html)] == [("1", labels[6]),
                                                                                      ("2", labels[5])]


def test_an_empty_day_says_so(app, client, clock):
    html = client.get(BOARD).get_data(as_text=True)
    assert "Belum ada nomor yang dipanggil." in html and "Belum ada panggilan hari ini." in html


def test_htmx_polls_get_the_board_block_alone(app, client, clock):
    walk_ins(app, clock, 1)
    label = call(app, clock, 4, ["KTP"], wib(2026, 12, 3, 9, 20))
    page = client.get(BOARD).get_data(as_text=True)
    assert '<main id="board" class="board" data-hx-get="/papan" data-hx-trigger="every 5s"' in page
    response = client.get(BOARD, headers=FRAGMENT)
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<main id="board"') and fragment.rstrip().endswith("</main>")
    assert "<html" not in fragment and "<head>" not in fragment and "<noscript>" not in fragment
    assert label in fragment
    assert 'data-hx-trigger="every 5s"' in fragment  # the swapped block keeps polling
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Target" in response.headers["Vary"]


def test_without_javascript_the_page_refreshes_itself(app, client):
    app.config["BOARD_REFRESH_SECONDS"] = 7
    response = client.get(BOARD)
    html = response.get_data(as_text=True)
    head = html[:html.index("</head>")]
    assert '<noscript><meta http-equiv="refresh" content="7"></noscript>' in head
    assert 'data-hx-trigger="every 7s"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # a public screen gets no session


def test_the_board_loads_its_own_small_stylesheet_and_no_inline_code(client):
    html = client.get(BOARD).get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" href="/static/css/queue-board\.[0-9a-f]{10}\.css">', html)
    assert "css/site." not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html
    css = client.get(re.search(r'href="(/static/css/queue-board\.[0-9a-f]+\.css)"', html).group(1))
    body = css.get_data(as_text=True)
    assert len(body.encode()) < 8_000 and "@font-face" not in body and "prefers-reduced-motion" in body


def test_the_board_is_valid_html_in_both_languages(app, client, clock, tmp_path):
    walk_ins(app, clock, 3)
    call(app, clock, 1, ["KTP"], wib(2026, 12, 3, 9, 20))
    pages = {"id": client.get(BOARD).get_data(as_text=True)}
    client.set_cookie("bahasa", "en")
    pages["en"] = client.get(BOARD).get_data(as_text=True)
    assert '<html lang="en">' in pages["en"]
    clock.now = wib(2026, 12, 5, 9, 0)  # a Saturday: closed, empty board
    pages["closed"] = client.get(BOARD).get_data(as_text=True)
    nu_validate(tmp_path, pages)


def test_polls_within_a_second_share_one_render_and_any_move_of_a_ticket_makes_a_new_one(app, client, clock,
                                                                                       monkeypatch):
    """Every TV polls the board: within one second, and while no ticket moves, they get the same render (one
    cheap query instead of three and a template); a call, even at the same instant, shows at once."""
    from portal.board import routes

    walk_ins(app, clock, 2)
    clock.now = wib(2026, 12, 3, 9, 30)
    renders = []
    real = routes.render
    monkeypatch.setattr(routes, "render", lambda *args, **kwargs: renders.append(1) or real(*args, **kwargs))
    page = client.get(BOARD).get_data(as_text=True)
    block = client.get(BOARD, headers=FRAGMENT).get_data(as_text=True)
    assert client.get(BOARD).get_data(as_text=True) == page
    assert client.get(BOARD, headers=FRAGMENT).get_data(as_text=True) == block != page
    assert len(renders) == 2  # the page and the block, once each
    label = call(app, clock, 1, ["KTP"], clock.now)  # the same instant
    assert ("1", label) in [(counter, ticket) for counter, ticket, _purpose in
                            serving_cards(client.get(BOARD).get_data(as_text=True))]
    assert len(renders) == 3
    clock.now = wib(2026, 12, 3, 9, 30, 1)  # the next second: rendered again (the flash depends on the time)
    client.get(BOARD)
    assert len(renders) == 4
