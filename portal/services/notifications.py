"""Messages to residents: composed when their application changes, kept in an outbox, delivered by a drain.

`enqueue_for` is called by the move itself (portal/services/review.py, applications.collect_by_download)
before its commit, so a move and its message are committed together or not at all. `send_due` (run by
`flask notifications send`, e.g. from cron every minute) delivers what is due through the configured senders
(portal/services/senders.py), reschedules a failed attempt with a doubling wait and gives up after
`NOTIFY_MAX_ATTEMPTS`. A row is claimed by a conditional update before it is sent, so two drains running at
once never send it twice; a sender that is down only delays messages, none is lost.

Recipients: the resident's phone for SMS (and, with `NOTIFY_SENDER=none`, a queued SMS that waits until a
sender is set). Applications hold no email address, so the `smtp` sender writes to `NOTIFY_EMAIL_TO`: an
email-to-SMS gateway (`{phone}@…`) or one office mailbox.

The messages are in Bahasa Indonesia whatever the clerk's page language (they go to residents), and never
carry the PIN or a full NIK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_date
from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update

from ..domain.nik import mask
from ..extensions import db
from ..models import Application, Notification
from . import calendar

EVENTS = ("correction", "approved", "ready", "collected", "rejected")
SENDERS = ("none", "sms", "smtp")
QUEUED, SENT, FAILED = "queued", "sent", "failed"
CHANNEL_OF_SENDER = {"sms": "sms", "smtp": "email"}
# A claimed row is not due again for this long: long enough for any send (the senders time out after 10 s),
# short enough that a drain killed halfway retries the row soon.
CLAIM_SECONDS = 120
BATCH = 200  # rows one run looks at; cron runs again a minute later
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def configured_senders() -> tuple[str, ...]:
    """Return the senders named in `NOTIFY_SENDER` ("sms,smtp" → ("sms", "smtp")); "none" gives ().

    Raises ValueError for a name that is not a sender.
    """
    names = [name.strip().lower() for name in str(current_app.config["NOTIFY_SENDER"] or "none").split(",")
             if name.strip()]
    unknown = [name for name in names if name not in SENDERS]
    if unknown:
        raise ValueError(f"NOTIFY_SENDER: unknown sender {', '.join(unknown)} (use none, sms, smtp)")
    return tuple(name for name in names if name != "none")


def recipients(application: Application) -> list[tuple[str, str]]:
    """Return (channel, recipient) pairs `application`'s messages go to under the configured senders."""
    senders = configured_senders()
    phone = application.phone or ""
    found = []
    if phone and ("sms" in senders or not senders):  # with no sender, the SMS waits until one is set
        found.append(("sms", phone))
    address = current_app.config["NOTIFY_EMAIL_TO"] or ""
    if "smtp" in senders and address and (phone or "{phone}" not in address):
        found.append(("email", address.replace("{phone}", phone.lstrip("+"))))
    return found


# Composing


def _clean(text: str) -> str:
    """Return a clerk's text with any 16-digit number (a NIK) masked and whitespace collapsed."""
    return " ".join(_SIXTEEN_DIGITS.sub(lambda found: mask(found.group()), text or "").split())


def _tracking_link(application: Application) -> str:
    base = current_app.config["PUBLIC_URL"] or (request.host_url if has_request_context() else "")
    return f"{base.rstrip('/')}/lacak?nomor={application.reference}" if base else ""


def _day(value) -> str:
    return format_date(value, "EEEE, d MMMM y", locale="id")


def _what_happened(application: Application, event: str, now: datetime, reason: str) -> tuple[str, str]:
    """Return (subject words, body sentences) for `event`."""
    link = _tracking_link(application)
    where = f"Lacak{' di ' + link if link else ''} dengan nomor permohonan dan PIN Anda"
    reason = _clean(reason)
    if event == "correction":
        return "perlu perbaikan", (
            "perlu diperbaiki." + (f" Catatan petugas: {reason}." if reason else "")
            + f" Buka {where}, lalu kirim perbaikannya.")
    if event == "approved":
        return "disetujui", "disetujui dan sedang diproses. Kami kirim kabar lagi saat dokumen siap."
    if event == "ready":
        if application.service.output != "security_blank":
            return "dokumen siap", f"sudah selesai. Unduh dokumen dari {where}, lalu cetak di kertas A4."
        place = application.pickup_place
        place_text = f"{place.name}, {place.address}".rstrip(", ") if place else "kantor kami"
        when = _day(application.pickup_date) if application.pickup_date else ""
        window = (application.pickup_window or "").replace(":", ".").replace("-", "–")
        zone = calendar.zone_label()
        return "dokumen siap diambil", (
            f"sudah selesai dan bisa diambil di {place_text}" + (f" pada {when}" if when else "")
            + (f" pukul {window} {zone}" if window else "") + ". Bawa bukti pengajuan.")
    if event == "collected":
        day = _day(now.astimezone(calendar.office_zone()).date())
        return "selesai", f"selesai: dokumen sudah diterima pada {day}. Terima kasih."
    if event == "rejected":
        return "ditolak", ("ditolak." + (f" Alasan: {reason}." if reason else "")
                           + " Anda dapat mengajukan permohonan baru setelah memenuhi persyaratan.")
    raise ValueError(f"unknown event {event!r}")


def compose(application: Application, event: str, now: datetime, reason: str = "") -> tuple[str, str]:
    """Return (subject, body) of the message about `event` (one of EVENTS) in Bahasa Indonesia.

    The body names the office, the reference and the service, says what happened and what to do next.
    Raises ValueError for an unknown event.
    """
    words, sentences = _what_happened(application, event, now, reason)
    office = current_app.config["OFFICE_SHORT_NAME"]
    subject = f"Permohonan {application.reference}: {words}"
    body = f"{office}: Permohonan {application.reference} ({application.service.name_id}) {sentences}"
    return subject[:200], body


def enqueue_for(application: Application, event: str, now: datetime, reason: str = "") -> list[Notification]:
    """Add the messages about `event` to the session (one per recipient) and return them; the caller commits.

    Adds nothing when the application has no one to tell. Raises ValueError for an unknown event or sender.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    subject, body = compose(application, event, now, reason)
    rows = [Notification(application_id=application.id, event=event, channel=channel, recipient=recipient,
                         subject=subject, body=body, state=QUEUED, attempts=0, created_at=now,
                         next_attempt_at=now, last_error="")
            for channel, recipient in recipients(application)]
    db.session.add_all(rows)
    return rows


def notifications_of(application: Application) -> list[Notification]:
    """Return the messages sent about `application`, newest first (what its tracking page lists)."""
    return list(db.session.scalars(select(Notification).where(
        Notification.application_id == application.id, Notification.state == SENT)
        .order_by(Notification.sent_at.desc(), Notification.id.desc())))


# Draining


@dataclass
class DrainReport:
    """What one drain did: `sent`, `retrying` (failed, tried again later), `gave_up`, `skipped` (claimed by
    another drain), `waiting` (queued rows left, e.g. with no sender for their channel), and in practice mode
    `held`: messages due that would have been sent."""

    held: int = 0
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    skipped: int = 0
    waiting: int = 0


def backoff(attempts: int) -> timedelta:
    """Return the wait after the `attempts`-th failed attempt: the base, then doubling (base × 2^(n-1))."""
    return timedelta(seconds=current_app.config["NOTIFY_BACKOFF_SECONDS"] * 2 ** max(attempts - 1, 0))


def _claim(row_id: int, now: datetime) -> bool:
    """Take a due row for this drain (one attempt more, not due again for CLAIM_SECONDS) and commit.

    Return False when another drain took it first.
    """
    won = db.session.execute(update(Notification).where(
        Notification.id == row_id, Notification.state == QUEUED, Notification.next_attempt_at <= now)
        .values(attempts=Notification.attempts + 1,
                next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))).rowcount
    db.session.commit()
    return bool(won)


def send_due(now: datetime) -> DrainReport:
    """Deliver every due message through its channel's configured sender and commit each outcome.

    A failure reschedules the row (`backoff`) or, at `NOTIFY_MAX_ATTEMPTS`, marks it failed; its error is
    kept in `last_error`. Returns what was done. Raises ValueError for a misconfigured `NOTIFY_SENDER`.
    In practice mode nothing is sent and nothing changes: the report counts the due messages as `held`.
    """
    from . import senders

    report = DrainReport()
    if current_app.config["PRACTICE"]:
        queued = select(func.count()).select_from(Notification).where(Notification.state == QUEUED)
        report.held = db.session.scalar(queued.where(Notification.next_attempt_at <= now)) or 0
        report.waiting = db.session.scalar(queued) or 0
        return report
    channels = {CHANNEL_OF_SENDER[name]: name for name in configured_senders()}
    limit = current_app.config["NOTIFY_MAX_ATTEMPTS"]
    due = list(db.session.scalars(select(Notification.id).where(
        Notification.state == QUEUED, Notification.next_attempt_at <= now,
        Notification.channel.in_(channels)).order_by(Notification.next_attempt_at, Notification.id).limit(BATCH)))
    for row_id in due:
        if not _claim(row_id, now):
            report.skipped += 1
            continue
        row = db.session.get(Notification, row_id)
        what = (row.recipient, row.subject, row.body, row.created_at)
        sender = channels[row.channel]
        db.session.commit()  # no transaction stays open while a slow server answers (SQLite would lock writers)
        try:
            senders.send(sender, *what)
        except Exception as error:  # noqa: BLE001  any failure of the sender only delays the message
            row.last_error = f"{type(error).__name__}: {error}"[:300]
            if row.attempts >= limit:
                row.state = FAILED
                report.gave_up += 1
            else:
                row.next_attempt_at = now + backoff(row.attempts)
                report.retrying += 1
        else:
            row.state, row.sent_at, row.last_error = SENT, now, ""
            report.sent += 1
        db.session.commit()
    report.waiting = db.session.scalar(select(func.count()).select_from(Notification)
                                       .where(Notification.state == QUEUED)) or 0
    return report
