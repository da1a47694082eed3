"""Queue tickets in the database: what can be booked, issuing atomically, the counter's calls, the board.

The only module that writes tickets. Issuing runs in one short transaction that first locks the
(day, prefix) row of `QueueSequence` — `BEGIN IMMEDIATE` on SQLite (one writer at a time), `SELECT … FOR
UPDATE` on PostgreSQL — and only then counts the window's tickets, checks the NIK and takes the next number,
so no number is handed out twice, none is skipped, and no window goes over its quota, however many worker
processes issue at once. The rules themselves are `portal/domain/queue.py`'s.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..domain import queue as rules
from ..domain.hours import Window
from ..domain.reference import new_reference, normalize_reference
from ..extensions import db
from ..models import QueueSequence, QueueTicket, QuotaRule, UsualCounters
from . import calendar, revisions

CODE_PREFIX = "ANT"  # ticket codes look like ANT-7K3M-Q9PX
NOT_COUNTED = (rules.CANCELLED,)  # a cancelled ticket frees its place in the quota
KEPT_QUOTAS = 256  # remembered quota lookups per process (purpose × days asked), dropped all at once beyond


@dataclass(frozen=True)
class SlotOffer:
    """One hourly window of a day as the booking page shows it."""

    window: Window
    quota: int
    taken: int
    past: bool

    @property
    def left(self) -> int:
        """Return how many tickets remain (0 when full)."""
        return max(0, self.quota - self.taken)

    @property
    def bookable(self) -> bool:
        """Return True when a ticket can still be booked for this window."""
        return not self.past and self.left > 0


@dataclass(frozen=True)
class DayOffer:
    """One open day of a purpose with its windows."""

    day: date
    slots: tuple[SlotOffer, ...]

    @property
    def full(self) -> bool:
        """Return True when no window of the day can be booked any more."""
        return not any(slot.bookable for slot in self.slots)

    @property
    def not_served(self) -> bool:
        """Return True when the day has no place at all (no counter on duty for the purpose): not full, shut."""
        return all(slot.quota == 0 for slot in self.slots)


def purposes() -> tuple[rules.Purpose, ...]:
    """Return the configured purposes (`QUEUE_PURPOSES`, else the defaults); raises ValueError if malformed."""
    configured = current_app.config.get("QUEUE_PURPOSES")
    if not configured:
        return rules.DEFAULT_PURPOSES
    cache = current_app.extensions.setdefault("loket_queue_purposes", {})
    key = repr(configured)
    if key not in cache:
        cache[key] = rules.purposes_from_config(configured)
    return cache[key]


def purpose(code: str | None) -> rules.Purpose | None:
    """Return the purpose with `code`, or None."""
    return next((found for found in purposes() if found.code == code), None)


def purpose_by_prefix(prefix: str) -> rules.Purpose | None:
    """Return the purpose whose tickets carry `prefix`, or None."""
    return next((found for found in purposes() if found.prefix == prefix), None)


def today(now: datetime | None = None) -> date:
    """Return the office's date at `now` (default: the app's clock)."""
    return (now or calendar.now()).astimezone(calendar.office_zone()).date()


def slots(purpose: rules.Purpose, day: date) -> tuple[Window, ...]:
    """Return the purpose's hourly windows on `day` (empty when closed)."""
    return rules.slots_on(calendar.calendar(datetime.combine(day, time(12), calendar.office_zone())), purpose, day)


def usual_counters(purpose: rules.Purpose) -> int:
    """Return the counters usually on duty for `purpose`: a supervisor's figure (`/admin/loket`), else the
    `QUEUE_COUNTERS` setting (1 when it does not name the purpose)."""
    stored = db.session.get(UsualCounters, purpose.code)
    return stored.counters if stored is not None else configured_counters(purpose)


def configured_counters(purpose: rules.Purpose) -> int:
    """Return the counters the `QUEUE_COUNTERS` setting gives `purpose` (1 when it does not name it)."""
    return int(current_app.config["QUEUE_COUNTERS"].get(purpose.code, 1))


def quotas(purpose: rules.Purpose, days: list[date]) -> dict[tuple[date, Window], int]:
    """Return the quota of every window of `purpose` on `days`, after the supervisor's rules.

    Remembered per process until the quotas or the calendar change (`revisions`): a change made by another
    worker counts within `REVISION_CHECK_SECONDS`, one made by this process at once. A burst of bookings then
    reads no quota at all.
    """
    kept = current_app.extensions.setdefault("loket_quotas", {})
    key = (revisions.current(revisions.QUOTAS), revisions.current(revisions.CALENDAR), purpose.code, tuple(days))
    found = kept.get(key)
    if found is None:
        if len(kept) >= KEPT_QUOTAS:
            kept.clear()
        found = kept[key] = _read_quotas(purpose, days)
    return dict(found)


def _read_quotas(purpose: rules.Purpose, days: list[date]) -> dict[tuple[date, Window], int]:
    found = db.session.scalars(select(QuotaRule).where(
        QuotaRule.purpose_code == purpose.code, QuotaRule.day.in_(days))).all()
    figures = {(rule.day, rule.window_start): rules.QuotaFigures(rule.counters, rule.quota) for rule in found}
    usual = usual_counters(purpose)
    return {(day, window): rules.quota_for(purpose, window, usual, figures.get((day, "")),
                                           figures.get((day, f"{window.start:%H:%M}")))
            for day in days for window in slots(purpose, day)}


def offers(purpose: rules.Purpose, now: datetime, count: int | None = None) -> list[DayOffer]:
    """Return the next `count` open days of `purpose` (default `QUEUE_BOOKING_DAYS`) with their windows.

    Today is left out once its last window has ended.
    """
    count = count or current_app.config["QUEUE_BOOKING_DAYS"]
    local = now.astimezone(calendar.office_zone())
    office = calendar.calendar(now)
    plans = office.open_days(purpose.activity, local.date(), count + 1)
    days = [plan.day for plan in plans]
    taken = dict(((day, start), number) for day, start, number in db.session.execute(
        select(QueueTicket.day, QueueTicket.window_start, func.count())
        .where(QueueTicket.purpose_code == purpose.code, QueueTicket.day.in_(days),
               QueueTicket.state.not_in(NOT_COUNTED))
        .group_by(QueueTicket.day, QueueTicket.window_start)))
    quota = quotas(purpose, days)
    found: list[DayOffer] = []
    for plan in plans:
        offered = tuple(
            SlotOffer(window, quota[(plan.day, window)], taken.get((plan.day, f"{window.start:%H:%M}"), 0),
                      datetime.combine(plan.day, window.end, local.tzinfo) <= local)
            for window in rules.hourly_slots(plan.windows))
        if all(slot.past for slot in offered):
            continue
        found.append(DayOffer(plan.day, offered))
    return found[:count]


def issue(purpose: rules.Purpose, day: date, window: Window, now: datetime, *, channel: str = rules.ONLINE,
          nik: str | None = None, phone: str | None = None) -> QueueTicket:
    """Issue and commit a ticket for `window` on `day`; return it.

    Raises TicketRefused ("closed", "past", "full", "duplicate", "unknown_window") and commits nothing then.
    A walk-in (`channel` "walk_in") may only take the window open at `now`.
    """
    for _attempt in range(3):
        try:
            return _issue_locked(purpose, day, window, now, channel, nik, phone)
        except IntegrityError:  # a random code or token collided (the lock rules out everything else)
            db.session.rollback()
    raise RuntimeError("could not draw a unique ticket code")


def _issue_locked(purpose, day, window, now, channel, nik, phone) -> QueueTicket:
    # What does not change under the lock is read before taking it, so the lock is held for as little as
    # possible: the office calendar and the window's quota. A request that is refused anyway (the window full,
    # the NIK holding a ticket, the window past) is refused from the same checks read without the lock, so a
    # burst of refusals never queues for it: the counts only grow under the lock, so a refusal read here would
    # stand under it too (a cancellation committing at that instant aside, as if the request came a moment early).
    office = calendar.calendar(now)
    quota = quotas(purpose, [day]).get((day, window), 0)
    _checked_count(office, purpose, day, window, now, quota, channel, nik)
    number = _take_number(day, purpose.prefix)
    try:
        in_window = _checked_count(office, purpose, day, window, now, quota, channel, nik)
        if channel == rules.WALK_IN:
            position = 1 + db.session.scalar(select(func.count()).select_from(QueueTicket).where(
                QueueTicket.day == day, QueueTicket.purpose_code == purpose.code,
                QueueTicket.state == rules.WAITING))
        else:
            position = in_window + 1
        ticket = QueueTicket(
            code=new_reference(CODE_PREFIX), verification_token=secrets.token_urlsafe(18), day=day,
            purpose_code=purpose.code, prefix=purpose.prefix, number=number,
            window_start=f"{window.start:%H:%M}", window_end=f"{window.end:%H:%M}", channel=channel,
            state=rules.WAITING, nik=nik, phone=phone, position=position, recalls=0, issued_at=now)
        db.session.add(ticket)
        db.session.commit()
        revisions.touch(revisions.QUEUE)
        return ticket
    except BaseException:
        db.session.rollback()  # the number goes back too: numbers stay contiguous
        raise


def _checked_count(office, purpose, day, window, now, quota, channel, nik) -> int:
    """Return the window's counted tickets once the rules allow one more; raises TicketRefused otherwise.

    One query counts the window's tickets and this NIK's active ones of the day together."""
    in_window, nik_active = db.session.execute(select(
        func.count().filter(QueueTicket.window_start == f"{window.start:%H:%M}",
                            QueueTicket.state.not_in(NOT_COUNTED)),
        func.count().filter(QueueTicket.nik == nik, QueueTicket.state.in_(rules.ACTIVE_STATES)) if nik is not None
        else literal(0)).where(QueueTicket.day == day, QueueTicket.purpose_code == purpose.code)).one()
    rules.check_issue(office, purpose, day, window, now, in_window, quota, bool(nik_active),
                      walk_in=channel == rules.WALK_IN)
    return in_window


def _take_number(day: date, prefix: str) -> int:
    """Start a transaction that holds the (day, prefix) number sequence, and return its next number.

    One statement creates the sequence or adds one to it and returns the number; it keeps the row locked
    until the transaction ends (PostgreSQL), and on SQLite `BEGIN IMMEDIATE` first takes the database's write
    lock (other writers wait up to the busy timeout). Rolling back gives the number back.
    """
    db.session.rollback()  # start from a clean transaction: nothing of this request is pending
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        insert = sqlite.insert(QueueSequence)
    else:
        insert = postgresql.insert(QueueSequence)
    statement = (insert.values(day=day, prefix=prefix, last_number=1)
                 .on_conflict_do_update(index_elements=["day", "prefix"],
                                        set_={"last_number": QueueSequence.last_number + 1})
                 .returning(QueueSequence.last_number))
    return db.session.execute(statement).scalar_one()


def find(code: str) -> QueueTicket | None:
    """Return the ticket whose code was typed (case, spaces and look-alikes forgiven), or None."""
    normalized = normalize_reference(code or "", CODE_PREFIX)
    if normalized is None:
        return None
    return db.session.scalar(select(QueueTicket).where(QueueTicket.code == normalized))


def by_verification_token(token: str) -> QueueTicket | None:
    """Return the ticket whose QR code carries `token`, or None."""
    if not token or len(token) > 40:
        return None
    return db.session.scalar(select(QueueTicket).where(QueueTicket.verification_token == token))


def can_cancel(ticket: QueueTicket, now: datetime) -> bool:
    """Return True while the holder may cancel: still waiting, and its day has not passed."""
    return ticket.state == rules.WAITING and ticket.day >= today(now)


def cancel(ticket: QueueTicket, now: datetime) -> bool:
    """Cancel a waiting ticket (its place goes back to the quota); return False when it cannot be cancelled."""
    if not can_cancel(ticket, now):
        return False
    changed = db.session.execute(update(QueueTicket).where(
        QueueTicket.id == ticket.id, QueueTicket.state == rules.WAITING).values(
        state=rules.CANCELLED, finished_at=now)).rowcount
    db.session.commit()
    revisions.touch(revisions.QUEUE)
    db.session.refresh(ticket)
    return changed == 1


def ahead_of(ticket: QueueTicket) -> int:
    """Return how many tickets of the same purpose and day still wait with a lower number."""
    return db.session.scalar(select(func.count()).select_from(QueueTicket).where(
        QueueTicket.day == ticket.day, QueueTicket.purpose_code == ticket.purpose_code,
        QueueTicket.state == rules.WAITING, QueueTicket.number < ticket.number))


# The counter


def current_at_counter(counter: int, now: datetime) -> QueueTicket | None:
    """Return the ticket being served at `counter` today (called and not finished), or None."""
    return db.session.scalar(select(QueueTicket).where(
        QueueTicket.day == today(now), QueueTicket.counter == counter, QueueTicket.state == rules.CALLED)
        .order_by(QueueTicket.called_at.desc()).limit(1))


def waiting_in_order(purpose_codes: list[str], now: datetime) -> list[QueueTicket]:
    """Return today's waiting tickets of `purpose_codes` in calling order (see `rules.call_order`).

    Booked tickets of a later hour are not callable yet and are left out.
    """
    day = today(now)
    tickets = db.session.scalars(select(QueueTicket).where(
        QueueTicket.day == day, QueueTicket.purpose_code.in_(purpose_codes),
        QueueTicket.state == rules.WAITING).order_by(QueueTicket.number)).all()
    moment = now.astimezone(calendar.office_zone()).time()
    ordered: list[QueueTicket] = []
    by_id = {ticket.id: ticket for ticket in tickets}
    for code in purpose_codes:
        found = purpose(code)
        if found is None:
            continue
        current = rules.slot_containing(slots(found, day), moment)
        queued = [rules.QueuedTicket(t.id, t.number, t.channel, time.fromisoformat(t.window_start))
                  for t in tickets if t.purpose_code == code]
        ordered.extend(by_id[item.id] for item in rules.call_order(queued, current, moment))
    # Purposes served at one counter take turns by the time their tickets were issued.
    position = {ticket.id: index for index, ticket in enumerate(ordered)}
    return sorted(ordered, key=lambda t: (_group_rank(t, now), position[t.id]))


def _group_rank(ticket: QueueTicket, now: datetime) -> int:
    """Return 0 for a booked ticket of the hour now, 1 otherwise (so they go first across purposes)."""
    moment = now.astimezone(calendar.office_zone()).time()
    in_hour = time.fromisoformat(ticket.window_start) <= moment < time.fromisoformat(ticket.window_end)
    return 0 if ticket.channel == rules.ONLINE and in_hour else 1


def call_next(counter: int, purpose_codes: list[str], now: datetime, user_id: int | None) -> QueueTicket | None:
    """Finish the counter's current ticket as served and call the next one; return it, or None if none waits.

    Two counters calling at once never get the same ticket: the call is a conditional update that only one
    of them wins, and the loser takes the next ticket in line.
    """
    current = current_at_counter(counter, now)
    if current is not None:
        finish(current, rules.SERVED, now)
    for ticket in waiting_in_order(purpose_codes, now):
        won = db.session.execute(update(QueueTicket).where(
            QueueTicket.id == ticket.id, QueueTicket.state == rules.WAITING).values(
            state=rules.CALLED, counter=counter, called_at=now, served_by=user_id)).rowcount
        db.session.commit()
        revisions.touch(revisions.QUEUE)
        if won:
            db.session.refresh(ticket)
            return ticket
    return None


def recall(ticket: QueueTicket, now: datetime) -> bool:
    """Call the ticket again (the board shows it on top once more); return False when it is no longer called."""
    changed = db.session.execute(update(QueueTicket).where(
        QueueTicket.id == ticket.id, QueueTicket.state == rules.CALLED).values(
        recalls=QueueTicket.recalls + 1, called_at=now)).rowcount
    db.session.commit()
    revisions.touch(revisions.QUEUE)
    db.session.refresh(ticket)
    return changed == 1


def finish(ticket: QueueTicket, state: str, now: datetime) -> None:
    """Mark a called ticket served or no-show.

    Raises ValueError for another state, or when the ticket is not (or no longer) called — the update only
    applies to a ticket still called, so two clerks finishing it at the same instant cannot both succeed.
    """
    if state not in (rules.SERVED, rules.NO_SHOW):
        raise ValueError(f"a called ticket ends served or no_show, not {state!r}")
    changed = db.session.execute(update(QueueTicket).where(
        QueueTicket.id == ticket.id, QueueTicket.state == rules.CALLED).values(state=state, finished_at=now)).rowcount
    db.session.commit()
    revisions.touch(revisions.QUEUE)
    db.session.refresh(ticket)
    if changed != 1:
        raise ValueError("only a called ticket can be finished")
