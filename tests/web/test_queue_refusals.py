"""A refused online booking redirects back to the form (so reloading never sends it again), with its reason
and what was typed kept on the server, and is refused without waiting for the ticket-number lock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import QueueTicket
from portal.models import QuotaRule as QuotaRuleTable
from portal.services import bookings, queue, quotas
from tests.web.session_helpers import held
from tests.web.test_queue_booking import book, refused
from tests.web.test_session_security import _record_cookies, _secrets_in

FRIDAY = date(2026, 12, 4)
SECOND_NIK, PHONE = "3317010101900002", "0812 9876 5432"


@pytest.fixture
def one_place(app, catalogue):
    """Leave one place at Friday 08:00 (KTP) and take it; return the app."""
    with app.test_request_context():
        quotas.set_quota(FRIDAY, "KTP", window_start="08:00", quota=1)
    return app


def test_a_full_window_sends_back_to_the_windows_and_keeps_the_nik_and_phone_for_the_next(client, one_place):
    cookies = _record_cookies(client)
    assert book(client).status_code == 303
    location = refused(book(client, nik=SECOND_NIK, phone=PHONE), "full")
    windows = client.get(location)
    html = windows.get_data(as_text=True)
    assert windows.status_code == 422 and "Jam ini sudah penuh. Pilih jam atau hari lain." in html
    assert 'value="09:00"' in html  # the other windows to choose from
    # Reloading the page the refusal landed on asks the same question again; nothing is sent.
    assert client.get(location).status_code == 422

    details = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-04&jam=09:00").get_data(as_text=True)
    assert f'value="{SECOND_NIK}"' in details and f'value="{PHONE}"' in details
    assert "Tiket belum bisa diberikan" not in details  # the new window has room: no refusal shown
    assert _secrets_in(cookies, [SECOND_NIK, PHONE, PHONE.replace(" ", "")]) == []  # kept on the server
    assert held(client, one_place)[bookings.ANSWERS_KEY]["nik"] == SECOND_NIK

    issued = book(client, nik=SECOND_NIK, phone=PHONE, start="09:00")
    assert issued.status_code == 303 and issued.headers["Location"].startswith("/antrean/ANT-")
    assert bookings.ANSWERS_KEY not in held(client, one_place)  # forgotten once the ticket is issued
    fresh = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-04&jam=09:00").get_data(as_text=True)
    assert SECOND_NIK not in fresh


def test_kept_answers_are_forgotten_after_half_an_hour(client, one_place, monkeypatch):
    assert book(client).status_code == 303
    refused(book(client, nik=SECOND_NIK, phone=PHONE), "full")
    later = bookings.utcnow() + bookings.KEEP_FOR + timedelta(minutes=1)
    monkeypatch.setattr(bookings, "utcnow", lambda: later)
    details = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-04&jam=09:00").get_data(as_text=True)
    assert SECOND_NIK not in details and PHONE not in details


def test_a_refusal_never_takes_the_number_lock(client, one_place, monkeypatch):
    assert book(client).status_code == 303
    taken = []
    real_take = queue._take_number

    def take_number(day, prefix):
        taken.append((day, prefix))
        return real_take(day, prefix)

    monkeypatch.setattr(queue, "_take_number", take_number)
    refused(book(client, nik=SECOND_NIK), "full")  # the window is full
    refused(book(client, start="09:00"), "duplicate")  # this NIK already holds Friday's ticket
    refused(book(client, nik=SECOND_NIK, day="2026-12-03", start="08:00"), "past")
    assert taken == []
    assert book(client, nik=SECOND_NIK, start="09:00").status_code == 303 and len(taken) == 1
    with one_place.app_context():
        assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == 2


def test_a_refusal_read_without_the_lock_is_checked_again_under_it(app, catalogue, monkeypatch):
    """A ticket committed between the unlocked check and the lock still fills the window: the locked check
    refuses, and the number taken goes back."""
    with app.test_request_context():
        quotas.set_quota(FRIDAY, "KTP", window_start="08:00", quota=1)
        purpose = queue.purpose("KTP")
        window = next(w for w in queue.slots(purpose, FRIDAY) if f"{w.start:%H:%M}" == "08:00")
        real_take = queue._take_number

        def take_after_a_rival(day, prefix):
            monkeypatch.setattr(queue, "_take_number", real_take)
            queue.issue(purpose, FRIDAY, window, queue.calendar.now(), nik="3317010101900003")  # the rival
            return real_take(day, prefix)

        monkeypatch.setattr(queue, "_take_number", take_after_a_rival)
        with pytest.raises(queue.rules.TicketRefused) as refusal:
            queue.issue(purpose, FRIDAY, window, queue.calendar.now(), nik=SECOND_NIK)
        assert refusal.value.code == "full"
        numbers = db.session.scalars(select(QueueTicket.number).where(QueueTicket.day == FRIDAY)).all()
        assert numbers == [1]


def test_quotas_are_read_once_until_a_supervisor_changes_them(app, catalogue):
    """A burst reads no quota: the figures are remembered per process until the quota revision moves, at once
    for a change made in this process, within REVISION_CHECK_SECONDS for one made by another worker."""
    from sqlalchemy import event, update

    from portal.models import Revision
    from portal.services import revisions

    seen: list[str] = []

    def remember(conn, cursor, statement, *args):
        seen.append(statement)

    app.config["REVISION_CHECK_SECONDS"] = 3600  # this process reads the revisions only when told to
    with app.test_request_context():
        purpose = queue.purpose("KTP")
        window = queue.slots(purpose, FRIDAY)[0]
        assert queue.quotas(purpose, [FRIDAY])[(FRIDAY, window)] == 12
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            queue.quotas(purpose, [FRIDAY])
            assert not [sql for sql in seen if "quota_rule" in sql]  # remembered

            quotas.set_quota(FRIDAY, "KTP", window_start=f"{window.start:%H:%M}", quota=3)  # this process
            assert queue.quotas(purpose, [FRIDAY])[(FRIDAY, window)] == 3

            # Another worker's change: the rule and its revision written behind this process's back.
            db.session.execute(update(QuotaRuleTable).values(quota=5))
            db.session.execute(update(Revision).where(Revision.name == revisions.QUOTAS)
                               .values(value=Revision.value + 1))
            db.session.commit()
            assert queue.quotas(purpose, [FRIDAY])[(FRIDAY, window)] == 3  # until the revision is read again
            app.config["REVISION_CHECK_SECONDS"] = 0
            assert queue.quotas(purpose, [FRIDAY])[(FRIDAY, window)] == 5
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)


# The booking steps come from the page cache, keyed on their answers and on the places offered


def test_booking_steps_come_from_the_cache_until_a_ticket_changes_the_places(app, client, catalogue):
    from sqlalchemy import event

    app.config["REVISION_CHECK_SECONDS"] = 3600  # this process reads the queue's version only when it changes
    step = "/antrean/ambil?keperluan=KTP&hari=2026-12-04"
    first = client.get(step).get_data(as_text=True)
    assert "sisa 12 tempat" in first
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def remember(conn, cursor, sql, *args):
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert client.get(step).get_data(as_text=True) == first
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert seen == []  # no query at all: the places offered are as this process last read them

    assert book(client, nik="3317010101900004").status_code == 303  # a place at 08:00 is taken
    assert "sisa 11 tempat" in client.get(step).get_data(as_text=True)
    # An argument the page does not know is not a page of its own: it bypasses the cache.
    pages = len(app.extensions["loket_pages"])
    client.get(step + "&x=1")
    assert len(app.extensions["loket_pages"]) == pages


def test_a_browser_with_kept_answers_gets_its_own_page_and_nobody_else_sees_them(app, client, one_place):
    details = "/antrean/ambil?keperluan=KTP&hari=2026-12-04&jam=09:00"
    assert SECOND_NIK not in client.get(details).get_data(as_text=True)  # cached, with nothing typed
    assert book(client).status_code == 303
    refused(book(client, nik=SECOND_NIK, phone=PHONE), "full")
    assert SECOND_NIK in client.get(details).get_data(as_text=True)  # this browser's own answers
    stranger = app.test_client()
    assert SECOND_NIK not in stranger.get(details).get_data(as_text=True)


def insert_ticket_elsewhere(app, day: date, start: str, state: str = "waiting") -> None:
    """Write a KTP ticket straight into the database, as another worker would: this process is not told."""
    with app.app_context():
        number = (db.session.scalar(select(func.max(QueueTicket.number)).where(QueueTicket.day == day)) or 0) + 1
        db.session.add(QueueTicket(
            code=f"ANT-ZZZZ-{number:04d}", verification_token=f"elsewhere-{number}", day=day, purpose_code="KTP",
            prefix="A", number=number, window_start=start, window_end=f"{int(start[:2]) + 1:02d}:00",
            channel="walk_in", state=state, position=number, recalls=0, issued_at=queue.calendar.now()))
        db.session.commit()


def test_a_ticket_booked_by_another_worker_shows_within_the_check_interval(app, client, catalogue):
    app.config["REVISION_CHECK_SECONDS"] = 3600
    step = "/antrean/ambil?keperluan=KTP&hari=2026-12-04"
    assert "sisa 12 tempat" in client.get(step).get_data(as_text=True)
    insert_ticket_elsewhere(app, FRIDAY, "08:00")  # another worker's booking: this process is not told
    assert "sisa 12 tempat" in client.get(step).get_data(as_text=True)
    app.config["REVISION_CHECK_SECONDS"] = 0  # the check interval has passed
    assert "sisa 11 tempat" in client.get(step).get_data(as_text=True)
