"""Notifications: every move that matters to a resident writes a message in Bahasa Indonesia to the outbox in
the move's own commit; `flask notifications send` delivers them over a real SMTP server (aiosmtpd) or an SMS
gateway over HTTP, retries with a doubling wait while the sender is down, gives up after the last attempt,
never sends a message twice; the tracking page lists what was sent."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Notification, User
from portal.services import applications, audit, calendar, handovers, notifications, review
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import create_staff, make_application

PHONE = "+6281234567890"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8")))
        return "250 OK"


class SmtpServer:
    """A local SMTP server (aiosmtpd) on one port that can be stopped (an outage) and started again."""

    def __init__(self):
        self.mailbox, self.port, self.controller = Mailbox(), free_port(), None

    def start(self):
        # A stopped controller's event loop is closed: every start needs a new one.
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """Return a started local SMTP server the app is configured to send to."""
    server = SmtpServer()
    server.start()
    app.config.update(NOTIFY_SENDER="smtp", NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=server.port,
                      NOTIFY_SMTP_SECURITY="none", NOTIFY_SMTP_FROM="loket@dukcapil.example",
                      NOTIFY_EMAIL_TO="{phone}@sms.example")
    yield server
    server.stop()


@pytest.fixture
def gateway(app):
    """Return a local HTTP SMS gateway recording each POST; set `.status` to answer something else than 200."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.headers["Content-Type"], self.headers.get("Authorization"),
                             self.rfile.read(length).decode("utf-8")))
            self.send_response(server.status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status, server.received = 200, received
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(NOTIFY_SENDER="sms", NOTIFY_SMS_URL=f"http://127.0.0.1:{server.server_port}/kirim")
    yield server
    server.shutdown()
    server.server_close()


def clerk() -> User:
    return db.session.scalar(select(User).where(User.username == "clerk"))


def outbox(app) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
        db.session.expunge_all()
        return rows


def ready_ktp(app) -> tuple[str, str]:
    """Return (reference, PIN) of a KTP-el application marked ready for pickup."""
    create_staff(app)
    return make_application(app, "KTP_HILANG", state=lifecycle.READY)


def drain(app):
    with app.app_context():
        return notifications.send_due(calendar.now())


# Composing


def test_each_event_says_what_happened_and_what_to_do_without_pin_or_nik(app, regions):
    create_staff(app)
    app.config["PUBLIC_URL"] = "https://loket.example.go.id"
    reference, pin = make_application(app, "KTP_HILANG", state=lifecycle.READY)
    printed, printed_pin = make_application(app, "KK_BARU", state=lifecycle.READY)
    with app.app_context():
        ktp, kk, now = applications.find(reference), applications.find(printed), calendar.now()
        bodies = {
            "correction": notifications.compose(ktp, "correction", now, f"Foto KK buram; NIK {GOOD_NIK} salah")[1],
            "approved": notifications.compose(ktp, "approved", now)[1],
            "ready": notifications.compose(ktp, "ready", now)[1],
            "self_printed": notifications.compose(kk, "ready", now)[1],
            "collected": notifications.compose(ktp, "collected", now)[1],
            "rejected": notifications.compose(ktp, "rejected", now, "Bukan warga kabupaten ini")[1],
        }
        subject = notifications.compose(ktp, "correction", now, "x")[0]
        place, day = ktp.pickup_place.name, ktp.pickup_date
    for body in bodies.values():
        assert body.startswith("Dindukcapil Rembang: Permohonan RBG-")
        assert pin not in body and printed_pin not in body and GOOD_NIK not in body
    assert reference in bodies["approved"] and "KTP-el" in bodies["approved"] and "disetujui" in bodies["approved"]
    assert subject == f"Permohonan {reference}: perlu perbaikan"
    assert "Catatan petugas: Foto KK buram; NIK 331701******" in bodies["correction"]
    assert (f"Buka Lacak di https://loket.example.go.id/lacak?nomor={reference} dengan nomor permohonan dan PIN"
            in bodies["correction"])
    assert place in bodies["ready"] and str(day.day) in bodies["ready"] and "WIB" in bodies["ready"]
    assert "Desember 2026" in bodies["ready"] or "Januari 2027" in bodies["ready"]
    assert "Unduh dokumen dari Lacak" in bodies["self_printed"] and "A4" in bodies["self_printed"]
    assert "sudah diterima pada Kamis, 3 Desember 2026" in bodies["collected"]
    assert "ditolak. Alasan: Bukan warga kabupaten ini." in bodies["rejected"]


# Enqueueing with the move


def test_every_move_that_matters_queues_a_message_in_its_own_commit(app, regions, clock):
    create_staff(app)
    reference, _pin = make_application(app, "KK_BARU", state=lifecycle.IN_REVIEW)
    rejected, _ = make_application(app, "KTP_HILANG", state=lifecycle.IN_REVIEW)
    with app.app_context():
        application, now = applications.find(reference), calendar.now()
        review.ask_correction(application, clerk(), now, note="Foto buram")
        assert [row.event for row in outbox(app)] == ["correction"]
        review.resubmit(application, now)
        review.take(application, clerk(), now)
        review.approve(application, clerk(), now)
        review.reject(applications.find(rejected), clerk(), now, "Bukan warga kabupaten ini")
    assert [(row.event, row.channel, row.recipient, row.state) for row in outbox(app)] == [
        ("correction", "sms", PHONE, "queued"), ("approved", "sms", PHONE, "queued"),
        ("rejected", "sms", PHONE, "queued")]
    assert "Foto buram" in outbox(app)[0].body


def test_ready_and_collected_are_queued_for_pickup_and_for_a_download(app, regions):
    reference, _pin = ready_ktp(app)
    printed, _ = make_application(app, "KK_BARU", state=lifecycle.READY)
    with app.app_context():
        handovers.hand_over(applications.find(reference), clerk(), calendar.now(), "applicant", nik_typed="0001",
                            reason="Sebelum jadwal")
        assert applications.collect_by_download(applications.find(printed), calendar.now(), "Diunduh")
    events = [(row.event, row.application_id) for row in outbox(app)]
    assert [event for event, _ in events] == ["approved", "ready", "approved", "ready", "collected", "collected"]


def test_a_move_whose_commit_fails_leaves_no_message(app, regions, monkeypatch):
    create_staff(app)
    reference, _pin = make_application(app, "KK_BARU", state=lifecycle.IN_REVIEW)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            review.approve(applications.find(reference), clerk(), calendar.now())
        db.session.rollback()
        assert applications.find(reference).state == lifecycle.IN_REVIEW
    assert outbox(app) == []


def test_recipients_follow_the_senders_configured(app, regions):
    create_staff(app)
    reference, _pin = make_application(app, "KK_BARU")
    with app.app_context():
        application = applications.find(reference)
        assert notifications.recipients(application) == [("sms", PHONE)]  # "none": waits for a sender
        app.config.update(NOTIFY_SENDER="smtp", NOTIFY_EMAIL_TO="")
        assert notifications.recipients(application) == []
        app.config.update(NOTIFY_SENDER="sms, smtp", NOTIFY_EMAIL_TO="arsip@dukcapil.example")
        assert notifications.recipients(application) == [("sms", PHONE), ("email", "arsip@dukcapil.example")]
        app.config.update(NOTIFY_SENDER="smtp", NOTIFY_EMAIL_TO="{phone}@sms.example")
        assert notifications.recipients(application) == [("email", "6281234567890@sms.example")]
        app.config.update(NOTIFY_SENDER="fax")
        with pytest.raises(ValueError, match="unknown sender fax"):
            notifications.recipients(application)


# Draining


def test_the_drain_sends_email_through_a_real_smtp_server(app, regions, smtp):
    reference, _pin = ready_ktp(app)
    report = drain(app)
    assert (report.sent, report.retrying, report.waiting) == (2, 0, 0)
    assert [to for to, _ in smtp.mailbox.messages] == [["6281234567890@sms.example"]] * 2
    content = smtp.mailbox.messages[1][1]
    assert f"Subject: Permohonan {reference}: dokumen siap diambil" in content
    assert "From: loket@dukcapil.example" in content
    assert [row.state for row in outbox(app)] == ["sent", "sent"]
    assert drain(app).sent == 0  # nothing twice


def test_an_smtp_outage_delays_the_messages_and_loses_none(app, regions, smtp, clock):
    app.config.update(NOTIFY_BACKOFF_SECONDS=60, NOTIFY_MAX_ATTEMPTS=5)
    ready_ktp(app)
    smtp.stop()
    start = clock.now
    report = drain(app)
    assert (report.sent, report.retrying) == (0, 2)
    rows = outbox(app)
    assert [(row.state, row.attempts) for row in rows] == [("queued", 1), ("queued", 1)]
    assert all(row.next_attempt_at == start + timedelta(seconds=60) for row in rows)
    assert "ConnectionRefusedError" in rows[0].last_error
    clock.now = start + timedelta(seconds=30)
    assert drain(app).retrying == 0  # not due yet
    clock.now = start + timedelta(seconds=60)
    drain(app)
    assert {row.next_attempt_at for row in outbox(app)} == {clock.now + timedelta(seconds=120)}  # doubled
    smtp.start()
    clock.now += timedelta(seconds=120)
    report = drain(app)
    assert (report.sent, report.retrying, report.waiting) == (2, 0, 0)
    assert [(row.state, row.attempts, row.last_error) for row in outbox(app)] == [("sent", 3, ""), ("sent", 3, "")]
    clock.now += timedelta(hours=1)
    assert drain(app).sent == 0
    assert len(smtp.mailbox.messages) == 2


def test_a_message_is_given_up_after_the_last_attempt(app, regions, smtp, clock):
    app.config.update(NOTIFY_BACKOFF_SECONDS=10, NOTIFY_MAX_ATTEMPTS=3)
    create_staff(app)
    make_application(app, "KK_BARU", state=lifecycle.APPROVED)
    smtp.stop()
    outcomes = []
    for _ in range(3):
        report = drain(app)
        outcomes.append((report.retrying, report.gave_up))
        clock.now += timedelta(minutes=5)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    [row] = outbox(app)
    assert (row.state, row.attempts) == ("failed", 3) and "ConnectionRefusedError" in row.last_error
    assert drain(app).waiting == 0


def test_a_row_claimed_by_another_drain_is_not_sent_again(app, regions, smtp):
    create_staff(app)
    make_application(app, "KK_BARU", state=lifecycle.APPROVED)
    [row] = outbox(app)
    with app.app_context():
        now = calendar.now()
        assert notifications._claim(row.id, now) is True
        assert notifications._claim(row.id, now) is False  # the second drain loses
    report = drain(app)
    assert (report.sent, report.waiting) == (0, 1)
    assert smtp.mailbox.messages == []


def test_sms_goes_to_the_http_gateway_as_json_or_a_form(app, regions, gateway, clock):
    app.config["NOTIFY_SMS_AUTHORIZATION"] = "Bearer rahasia"
    create_staff(app)
    reference, _pin = make_application(app, "KK_BARU", state=lifecycle.APPROVED)
    assert drain(app).sent == 1
    content_type, authorization, body = gateway.received[0]
    assert (content_type, authorization) == ("application/json", "Bearer rahasia")
    sent = json.loads(body)
    assert sent["to"] == PHONE and reference in sent["text"] and "disetujui" in sent["text"]

    app.config["NOTIFY_SMS_TEMPLATE"] = "nomor={phone}&pesan={message}"
    with app.app_context():
        review.attach_output(applications.find(reference), clerk(), calendar.now(), _signed_pdf())
    gateway.status = 500
    assert drain(app).retrying == 1
    gateway.status = 200
    clock.now += timedelta(minutes=2)
    assert drain(app).sent == 1
    content_type, _, body = gateway.received[-1]
    form = urllib.parse.parse_qs(body)
    assert content_type == "application/x-www-form-urlencoded"
    assert form["nomor"] == [PHONE] and "Unduh dokumen dari Lacak" in form["pesan"][0]
    assert len(gateway.received) == 3


def _signed_pdf():
    from portal.uploads import inspect_upload
    from tests.web.staff_helpers import signed_pdf

    return inspect_upload(signed_pdf(), max_bytes=10 * 1024 * 1024)


def test_with_no_sender_messages_wait_and_go_once_one_is_set(app, regions, runner, gateway):
    app.config["NOTIFY_SENDER"] = "none"
    ready_ktp(app)
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0
    assert result.output == "Sent 0, failed and retrying later 0, gave up 0; 2 waiting in the outbox.\n"
    app.config["NOTIFY_SENDER"] = "sms"
    result = runner.invoke(args=["notifications", "send"])
    assert result.output == "Sent 2, failed and retrying later 0, gave up 0; 0 waiting in the outbox.\n"
    app.config["NOTIFY_SENDER"] = "pigeon"
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 2 and "unknown sender pigeon" in result.output


# The tracking page


def test_the_tracking_page_lists_what_was_sent(app, regions, gateway, tmp_path):
    reference, pin = ready_ktp(app)
    client = app.test_client()
    assert client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": reference,
                                       "pin": pin}).status_code == 303
    assert "Pemberitahuan terkirim" not in client.get(f"/lacak/{reference}").get_data(as_text=True)
    drain(app)
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Pemberitahuan terkirim" in page and "lewat SMS" in page
    assert page.count("disetujui dan sedang diproses") == 1 and "bisa diambil di" in page
    assert page.index("bisa diambil di") < page.index("disetujui dan sedang diproses")  # newest first
    nu_validate(tmp_path, {"track": page})


def test_an_unknown_sender_in_the_environment_stops_the_app_from_starting(app, monkeypatch):
    from portal import create_app

    monkeypatch.setenv("LOKET_NOTIFY_SENDER", "SMS, fax")
    with pytest.raises(ValueError, match="LOKET_NOTIFY_SENDER: unknown sender fax"):
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x"})
    monkeypatch.setenv("LOKET_NOTIFY_SENDER", " SMS , smtp")
    started = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x"})
    assert started.config["NOTIFY_SENDER"] == "sms,smtp"
