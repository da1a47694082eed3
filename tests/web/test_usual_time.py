"""The confirmation page says what is known about how long a service takes: when the office will first look
at the application, and, once enough were made ready, the service's usual time from the reports' median."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application
from tests.web.apply_helpers import apply_lost_ktp
from tests.web.staff_helpers import create_staff, make_application

OTHER_NIK = "3317014101900099"  # not the NIK of the applications made ready: no open application of its own


def _made_ready(app, clock, count: int, took: timedelta) -> None:
    """Make `count` KTP-el Hilang applications that were sent three days ago and made ready `took` later."""
    for n in range(count):
        reference, _pin = make_application(app, "KTP_HILANG", state="ready", nik=f"33170141019000{n + 1:02d}")
        with app.app_context():
            application = db.session.scalar(select(Application).where(Application.reference == reference))
            sent = clock.now - timedelta(days=3)
            for event in application.events:
                if event.to_state == lifecycle.SUBMITTED:
                    event.at = sent
                elif event.to_state == lifecycle.READY:
                    event.at = sent + took
            db.session.commit()


def test_the_usual_time_shows_once_five_were_made_ready(app, client, regions, clock):
    create_staff(app)
    _made_ready(app, clock, 5, timedelta(days=2, hours=3))
    apply_lost_ktp(client, nik=OTHER_NIK)
    page = client.get("/ajukan/ktp_hilang/selesai").get_data(as_text=True)
    assert ("Layanan ini biasanya siap dalam 2 hari 3 jam sejak dikirim (nilai tengah dari 5 permohonan yang "
            "siap dalam 90 hari terakhir).") in page
    assert "Petugas akan memeriksa permohonan Anda pada jam pengajuan hari ini." in page  # the office is open
    assert "Keterangan kantor tentang lama proses:" in page


def test_too_few_say_nothing_of_a_usual_time(app, client, regions, clock):
    create_staff(app)
    _made_ready(app, clock, 4, timedelta(hours=5))
    apply_lost_ktp(client, nik=OTHER_NIK)
    page = client.get("/ajukan/ktp_hilang/selesai").get_data(as_text=True)
    assert "biasanya siap dalam" not in page and "Keterangan kantor tentang lama proses:" in page
