"""Practice mode (LOKET_PRACTICE=1): a database and storage of its own, never the live ones; "MODE LATIHAN" on every
page and printed document; a clock set from /latihan that every worker follows; nothing sent to residents."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import select

from portal import create_app
from portal.domain import lifecycle
from portal.extensions import db
from portal.models import AuditEntry, Notification, QueueTicket
from tests.conftest import _test_config, wib
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.pdf_helpers import pdf_text
from tests.web.staff_helpers import make_application, sign_in
from tests.web.test_kiosk import purpose_button, take_ticket
from tests.web.test_track import track

MARK = "MODE LATIHAN"
NIGHT = wib(2026, 12, 3, 22, 30)  # Thursday night: the office closed at 12.00 (submissions) and 14.00 (pickups)
PDF_TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "pdf" / "templates" / "pdf"


def practice_app(app, clock, tmp_path, **config):
    """Return a practice-mode app on the test database that `app` reset, whose real clock is the test `clock`."""
    settings = _test_config(app.config["SQLALCHEMY_DATABASE_URI"])
    settings.update(SQLALCHEMY_DATABASE_URI=None, PRACTICE=True, CLOCK=clock,
                    PRACTICE_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                    PRACTICE_STORAGE_URL=f"file://{tmp_path / 'practice'}", **config)
    return create_app(settings)


@pytest.fixture
def practice(app, clock, tmp_path):
    """Return a practice-mode app on the test database."""
    practising = practice_app(app, clock, tmp_path)
    yield practising
    with practising.app_context():
        db.session.remove()
        db.engine.dispose()


def status(client) -> dict:
    return json.loads(client.get("/api/status").get_data(as_text=True))


def set_clock(client, **fields):
    return client.post("/latihan/jam", data={"csrf_token": csrf(client, "/latihan"), **fields})


# Its own database and storage


def test_practice_never_opens_the_live_database_or_storage(monkeypatch, tmp_path):
    from flask import Flask

    from portal.config import load_config

    def config() -> dict:
        app = Flask("practice", instance_path=str(tmp_path))
        load_config(app, {"SECRET_KEY": "x"})
        return app.config

    monkeypatch.setenv("LOKET_PRACTICE", "1")
    for name in ("DATABASE_URL", "LOKET_PRACTICE_DATABASE_URL", "LOKET_STORAGE_URL", "LOKET_PRACTICE_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = config()
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'practice.db'}"
    assert settings["STORAGE_URL"] == f"file://{tmp_path / 'practice'}"
    assert settings["SESSION_COOKIE_NAME"] == "latihan"  # a live portal on another port keeps its own cookie

    monkeypatch.setenv("DATABASE_URL", "postgresql://loket:secret@db.kantor/loket")
    with pytest.raises(ValueError, match="set LOKET_PRACTICE_DATABASE_URL to a database of its own"):
        config()
    monkeypatch.setenv("LOKET_PRACTICE_DATABASE_URL", "postgresql+psycopg://latihan:other@db.kantor:5432/loket")
    with pytest.raises(ValueError, match="names the live database"):
        config()
    monkeypatch.setenv("LOKET_PRACTICE_DATABASE_URL", "postgresql://loket:secret@db.kantor/loket_latihan")
    assert config()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://loket:secret@db.kantor/loket_latihan"

    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("LOKET_PRACTICE_DATABASE_URL", f"sqlite:///{tmp_path}/../{tmp_path.name}/loket.db")
    with pytest.raises(ValueError, match="names the live database"):  # the default live file, spelt otherwise
        config()
    monkeypatch.delenv("LOKET_PRACTICE_DATABASE_URL")
    monkeypatch.setenv("LOKET_PRACTICE_STORAGE_URL", f"file://{tmp_path}/")
    with pytest.raises(ValueError, match="names the live storage"):
        config()
    monkeypatch.delenv("LOKET_PRACTICE")
    assert config()["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'loket.db'}"  # the live portal's own


# The mark on every page


def test_every_page_says_mode_latihan_and_the_live_portal_never_does(app, practice, staff, tmp_path):
    client, live = practice.test_client(), app.test_client()
    public = ("/", "/layanan", "/jadwal", "/antrean", "/lacak", "/masuk", "/kios", "/kios/antrean", "/papan")
    for path in public:
        assert MARK in client.get(path).get_data(as_text=True), path
        assert MARK not in live.get(path).get_data(as_text=True), path
    missing = client.get("/tidak-ada")
    assert missing.status_code == 404 and MARK in missing.get_data(as_text=True)
    with practice.test_request_context():
        outage = render_template("errors/unavailable.html", title="x", explanation="y", request_id="z", retry=None)
    assert MARK in outage  # the page shown while the database is down asks it nothing

    sign_in(client, "clerk")
    for path in ("/petugas", "/petugas/loket/atur", "/latihan"):
        page = client.get(path).get_data(as_text=True)
        assert MARK in page and 'href="/latihan">Jam latihan: Kamis 09.00\N{NO-BREAK SPACE}WIB</a>' in page, path
    pages = {"panel": client.get("/latihan"), "home": client.get("/"), "kiosk": client.get("/kios"),
             "board": client.get("/papan")}
    client.get("/bahasa/en")
    pages["panel-en"] = client.get("/latihan")
    assert "PRACTICE MODE" in pages["panel-en"].get_data(as_text=True)
    nu_validate(tmp_path, pages)


def test_every_printed_document_says_mode_latihan_on_one_page(app, practice):
    from tests.web.test_manifest_pdf import SAMPLE as MANIFEST
    from tests.web.test_pickup_pdf import SAMPLE as PICKUP
    from tests.web.test_receipt_pdf import SAMPLE as RECEIPT
    from tests.web.test_staff_handover import SAMPLE as HANDOVER
    from tests.web.test_ticket_pdf import SAMPLE as TICKET
    from portal.pdf.handover import render_handover_slip
    from portal.pdf.manifest import render_manifests
    from portal.pdf.pickup import render_pickup_receipt
    from portal.pdf.receipt import render_receipt
    from portal.pdf.ticket import render_ticket
    from pypdf import PdfReader
    from io import BytesIO

    documents = [(render_ticket, TICKET, size) for size in ("58", "80", "a6")] + [
        (render_receipt, RECEIPT, "a4"), (render_receipt, RECEIPT, "a6"), (render_pickup_receipt, PICKUP, "80"),
        (render_handover_slip, HANDOVER, "80"), (lambda data, _size: render_manifests([data]), MANIFEST, "a4")]
    for render, sample, size in documents:
        with practice.test_request_context():
            body = render(sample, size)
        text = pdf_text(body)
        assert "MODE LATIHAN — BUKAN DOKUMEN RESMI" in text and "LATIHAN" in text.replace(MARK, ""), render
        assert len(PdfReader(BytesIO(body)).pages) == 1, (render, size)  # the mark pushes nothing over
    with app.test_request_context():
        assert "LATIHAN" not in pdf_text(render_ticket(TICKET, "80"))
    # Every document is written into one of the two pages that carry the mark.
    for template in PDF_TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        if template.name in ("document.html", "receipt.html"):
            assert "practice-mark" in source and "practice-watermark" in source
        elif "{% macro" not in source:
            assert '{% extends "pdf/document.html" %}' in source, template.name


def test_a_practice_receipt_is_kept_apart_and_never_answers_for_a_real_one(app, practice, staff, tmp_path):
    reference, pin = make_application(practice, "KK_BARU")
    client, live = practice.test_client(), app.test_client()
    for each in (client, live):
        assert track(each, reference, pin).status_code == 303
    practising = client.get(f"/lacak/{reference}/bukti.pdf?ukuran=a6")
    assert practising.headers["ETag"].startswith('"latihan-') and MARK in pdf_text(practising.data)
    real = live.get(f"/lacak/{reference}/bukti.pdf?ukuran=a6",
                    headers={"If-None-Match": practising.headers["ETag"]})
    assert real.status_code == 200 and MARK not in pdf_text(real.data)  # not a 304 for the practice copy
    kept = [path.relative_to(tmp_path).parts[:2] for path in tmp_path.rglob("*.pdf")]
    assert ("practice", "latihan") in kept and ("storage", "receipts") in kept
    assert ("storage", "latihan") not in kept and ("practice", "receipts") not in kept


# The practice clock


def test_the_clock_opens_the_kiosk_at_night_for_every_worker_and_runs_on(app, practice, clock, staff, tmp_path):
    clock.now = NIGHT
    client, live = practice.test_client(), app.test_client()
    assert not status(client)["submission"]["open"]
    assert "disabled" in purpose_button(client.get("/kios/antrean").get_data(as_text=True), "KTP")
    sign_in(client, "clerk")
    panel = client.get("/latihan").get_data(as_text=True)
    assert "Jam kantor berikutnya: Jumat, 4 Desember 2026, 09.00 WIB" in panel
    response = set_clock(client, pilihan="berikutnya")
    assert response.status_code == 303 and response.headers["Location"] == "/latihan"
    assert "Jam latihan diatur" in client.get("/latihan").get_data(as_text=True)

    now = status(client)
    assert now["at"] == "2026-12-04T09:00:00+07:00" and now["submission"]["open"] and now["pickup"]["open"]
    assert "disabled" not in purpose_button(client.get("/kios/antrean").get_data(as_text=True), "KTP")
    assert take_ticket(practice.test_client()).status_code == 303  # a walk-in ticket at the kiosk, at night
    with practice.app_context():
        ticket = db.session.scalar(select(QueueTicket))
        assert (ticket.day, ticket.window_start) == (date(2026, 12, 4), "09:00")
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "set_practice_clock"))
        assert audit.user_name == "Petugas Satu" and audit.detail == "Jam latihan diatur ke Jumat, 4 Desember 2026 09.00"
    assert status(live)["at"] == "2026-12-03T22:30:00+07:00"  # the live portal keeps the real time

    clock.now = NIGHT + timedelta(minutes=10)  # the practice clock runs with the real one
    other_worker = practice_app(app, clock, tmp_path, REVISION_CHECK_SECONDS=0)
    for each in (client, other_worker.test_client()):
        assert status(each)["at"] == "2026-12-04T09:10:00+07:00"
    with other_worker.app_context():
        db.engine.dispose()

    assert set_clock(client, pilihan="atur", hari="07-12-2026", jam="13.45").status_code == 303
    assert status(client)["at"] == "2026-12-07T13:45:00+07:00" and not status(client)["submission"]["open"]
    assert set_clock(client, pilihan="sebenarnya").status_code == 303
    assert status(client)["at"] == "2026-12-03T22:40:00+07:00"
    assert "Kembali ke waktu sebenarnya" not in client.get("/latihan").get_data(as_text=True)


def test_a_wrong_date_or_time_says_why_and_keeps_what_was_typed(app, practice, staff):
    client = practice.test_client()
    assert client.get("/latihan").headers["Location"].startswith("/masuk")
    assert app.test_client().get("/latihan").status_code == 404  # no panel outside practice mode
    sign_in(client, "op.sumber")  # a village operator may set it too
    response = set_clock(client, pilihan="atur", hari="31-02-2026", jam="25.00")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tulis tanggal seperti 07-12-2026." in page and "Tulis jam seperti 09.00." in page
    assert 'value="31-02-2026"' in page and 'value="25.00"' in page
    response = set_clock(client, pilihan="atur", hari="03-12-2028", jam="09.00")
    assert response.status_code == 422 and "Pilih tanggal dalam satu tahun dari hari ini." in response.get_data(
        as_text=True)
    with practice.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "set_practice_clock")) is None


# Nothing sent


def test_nothing_is_sent_and_the_panel_shows_what_would_have_been(practice, staff, monkeypatch):
    from portal.services import senders

    practice.config.update(NOTIFY_SENDER="sms,smtp", NOTIFY_SMS_URL="http://127.0.0.1:9/kirim",
                           NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_EMAIL_TO="kantor@dukcapil.example")
    delivered = []
    monkeypatch.setattr(senders, "send_sms", lambda *args: delivered.append(args))
    monkeypatch.setattr(senders, "send_email", lambda *args: delivered.append(args))
    reference, _pin = make_application(practice, "KTP_HILANG", state=lifecycle.READY)

    result = practice.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "Practice mode: nothing sent. 4 messages would have been sent now" in result.output
    assert delivered == []
    with practice.app_context():
        assert {row.state for row in db.session.scalars(select(Notification))} == {"queued"}
        with pytest.raises(senders.SenderError, match="practice mode sends nothing"):
            senders.send("sms", "+6281234567890", "x", "y")
    client = practice.test_client()
    sign_in(client, "clerk")
    panel = client.get("/latihan").get_data(as_text=True)
    assert panel.count(f" · {reference}</p>") == 4 and "sudah selesai dan bisa diambil" in panel
    assert "0812-3456-7890" in panel and "kantor@dukcapil.example" in panel


def test_doctor_says_it_is_practice_mode_and_on_which_database(practice, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    result = practice.test_cli_runner().invoke(args=["doctor", "--workers", "1"])
    assert "WARN  Practice mode is on (LOKET_PRACTICE=1), on its own database " in result.output
    assert practice.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1] in result.output
    assert "For the live office, unset LOKET_PRACTICE." in result.output
