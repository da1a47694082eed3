"""CONCURRENCY: two app servers, one office. Each is a gunicorn with its own instance folder; they share
PostgreSQL, Redis (rate limits) and S3 object storage (SeaweedFS), as an office behind a load balancer would.
A resident applies on A and a clerk reviews the scans on B; a closure set on B shows on A; a sign-out on A
ends the session on B; the PIN budget counts across both.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import datetime

import pytest
from sqlalchemy import make_url, select

from portal.extensions import db
from portal.models import Application
from tests.conftest import S3_BUCKET, WIB
from tests.web.apply_helpers import apply_lost_ktp, csrf
from tests.web.http_client import HttpClient
from tests.web.staff_helpers import create_staff, sign_in
from tests.web.test_queue_concurrency import Gunicorn, server_environment

pytestmark = pytest.mark.concurrency

REASON = "Rapat dinas mendadak"


def test_two_app_servers_serve_one_office(app, regions, database_url, redis_url, s3_endpoint, tmp_path):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("app servers on two machines share PostgreSQL (the PostgreSQL run tests this)")
    create_staff(app)
    env = server_environment(database_url, redis_url)
    env.update({"LOKET_STORAGE_URL": f"s3://{S3_BUCKET}/{uuid.uuid4().hex}?endpoint={s3_endpoint}",
                "LOKET_TRACK_REFERENCE_LIMIT": "5 per 15 minutes", "LOKET_TRACK_LIMIT": "1000 per minute",
                "LOKET_REVISION_CHECK_SECONDS": "1"})
    with Gunicorn({**env, "LOKET_INSTANCE_PATH": str(tmp_path / "a")}, tmp_path / "a.log", workers=1) as a, \
            Gunicorn({**env, "LOKET_INSTANCE_PATH": str(tmp_path / "b")}, tmp_path / "b.log", workers=1) as b:
        # A resident applies on A; a clerk opens the scans on B.
        resident = HttpClient(a.port)
        reference, pin = apply_lost_ktp(resident)
        with app.app_context():
            application = db.session.scalar(select(Application).where(Application.reference == reference))
            scans = [(document.id, document.sha256) for document in application.documents]
        clerk = HttpClient(b.port)
        sign_in(clerk, "clerk")
        for document_id, checksum in scans:
            scan = clerk.get(f"/petugas/{reference}/dokumen/{document_id}")
            assert scan.status_code == 200 and hashlib.sha256(scan.data).hexdigest() == checksum

        # A closure set on B shows on A within the revision check interval.
        before = HttpClient(a.port).get("/").get_data(as_text=True)  # A caches its home page
        assert REASON not in before
        kabid = HttpClient(b.port)
        sign_in(kabid, "kabid")
        today = datetime.now(WIB).date().isoformat()
        closed = kabid.post("/admin/hari", {"csrf_token": csrf(kabid, "/admin/hari"), "hari": today,
                                            "jenis": "tutup", "kegiatan": "", "alasan": REASON, "jam": ""})
        assert closed.status_code == 303, closed.get_data(as_text=True)[:2000]
        set_at, seen = time.monotonic(), None
        while seen is None and time.monotonic() - set_at < 5:
            status = HttpClient(a.port).get("/api/status").data.decode()
            home = HttpClient(a.port).get("/").get_data(as_text=True)
            if REASON in status and REASON in home:
                seen = time.monotonic() - set_at
            else:
                time.sleep(0.1)
        assert seen is not None and seen <= 2.5, "A did not show B's closure within the revision interval"

        # A sign-out on A ends the session on B (one browser, the same cookie, behind one address).
        staff = HttpClient(a.port)
        sign_in(staff, "clerk2")
        assert staff.retarget(b.port).get("/petugas").status_code == 200
        out = staff.retarget(a.port).post("/keluar", {"csrf_token": csrf(staff, "/petugas")})
        assert out.status_code in (302, 303)
        after = staff.retarget(b.port).get("/petugas")
        assert after.status_code in (302, 303) and "/masuk" in after.headers["Location"]

        # The PIN budget of a reference counts on both servers together.
        wrong = "000000" if pin != "000000" else "111111"
        guesser = HttpClient(a.port)
        answers = []
        for port in (a.port, b.port, a.port, b.port, a.port, b.port):
            guesser.retarget(port)
            answers.append(guesser.post("/lacak", {"csrf_token": csrf(guesser, "/lacak"), "reference": reference,
                                                   "pin": wrong}).status_code)
        assert answers == [422] * 5 + [429]
