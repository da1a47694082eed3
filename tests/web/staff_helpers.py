"""Helpers for the office's side: accounts, signing in, and applications built through the services.

Building an application through the services (not the form pages) keeps staff tests fast; the form itself
is tested in tests/web/test_apply_*.py.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, Service, User
from portal.services import accounts, applications, calendar
from portal.uploads import CleanFile, inspect_upload
from tests.web.apply_helpers import GOOD_NIK, csrf, photo

PASSWORD = "rahasia-loket-1"
STAFF = {
    "clerk": ("Petugas Satu", "clerk", None),
    "clerk2": ("Petugas Dua", "clerk", None),
    "kabid": ("Kepala Bidang", "supervisor", None),
    "op.sumber": ("Operator Ronggo Mulyo", "operator", "33.17.01.2001"),
    "op.sarang": ("Operator Lodan Kulon", "operator", "33.17.05.2001"),
}


def create_staff(app) -> dict[str, int]:
    """Create the accounts of STAFF (the regions must be seeded); return their ids by username."""
    with app.app_context():
        return {name: accounts.create_user(name, full, role, PASSWORD, region).id
                for name, (full, role, region) in STAFF.items()}


def sign_in(client, username: str) -> None:
    """Sign `client` in as `username` (asserts it worked)."""
    response = client.post("/masuk", data={"csrf_token": csrf(client, "/masuk"), "username": username,
                                           "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def make_application(app, service_code: str = "KK_BARU", *, nik: str = GOOD_NIK, name: str = "Siti Wulandari",
                     desa: str = "33.17.01.2001", state: str = lifecycle.SUBMITTED, channel: str = "resident",
                     pdf: bytes | None = None, filed_by: str | None = None,
                     documents: bool = True, duplicate_reason: str = "Permohonan uji yang lain") -> tuple[str, str]:
    """Create an application of `service_code` with every required document, moved to `state` (draft,
    submitted, in_review by "clerk", approved or ready); return (reference, PIN).

    A PDF `pdf` replaces the photo for every document when given. `filed_by` (a village operator's username)
    files it on the resident's behalf (channel "village", consent in person). `documents=False` leaves the
    uploads out (only sensible with state "draft": an incomplete draft). `duplicate_reason` goes with it when
    the NIK already has an open application of the service (most tests reuse one NIK); "" sends none.
    """
    with app.app_context():
        now = calendar.now()
        service = db.session.get(Service, service_code)
        operator = db.session.scalar(db.select(User).where(User.username == filed_by)) if filed_by else None
        application, pin = applications.start_draft(
            service, now, channel="village" if operator else channel, filed_by=operator,
            consent="in_person" if operator else None)
        applications.save_applicant(application, now, nik=nik, full_name=name, birth_date=date(1990, 1, 1),
                                    phone="+6281234567890", region_code=desa)
        for question in service.questions:
            applications.save_answer(application, now, question["code"], _answer(question))
        clean = inspect_upload(pdf, max_bytes=10 * 1024 * 1024) if pdf else _clean_photo()
        for document in service.documents if documents else ():
            applications.attach_document(application, now, document["code"], clean)
        if state == lifecycle.DRAFT:
            return application.reference, pin
        applications.submit(application, now, duplicate_reason=duplicate_reason)
        if state != lifecycle.SUBMITTED:
            _advance(application, state, now)
        return application.reference, pin


@lru_cache(maxsize=1)
def _clean_photo() -> CleanFile:
    """Return the default photo as the upload check passes it (re-encoded once per process: it is the same
    every time, and a CleanFile is immutable)."""
    return inspect_upload(photo(), max_bytes=10 * 1024 * 1024)


def _answer(question: dict):
    kind = question.get("type", "text")
    if question.get("options"):
        return question["options"][0]["value"]
    if kind == "date":
        return date(2015, 6, 5)
    if kind in ("nik", "kk"):
        return "3317010101880001"
    return "Jawaban contoh"


def _advance(application: Application, state: str, now) -> None:
    from portal.services import review

    clerk = db.session.scalar(db.select(User).where(User.username == "clerk"))
    review.take(application, clerk, now)
    if state == lifecycle.IN_REVIEW:
        return
    review.approve(application, clerk, now)
    if state == lifecycle.APPROVED:
        return
    if review.self_printed(application):
        review.attach_output(application, clerk, now, inspect_upload(signed_pdf(), max_bytes=10 * 1024 * 1024))
    else:
        place, slot = review.proposal(application, now)
        review.mark_ready(application, clerk, now, place.code, slot.day, str(slot.window))


def signed_pdf() -> bytes:
    """Return a one-page PDF standing in for a signed, self-printed document."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def application_id(app, reference: str) -> int:
    """Return the id of the application with `reference`."""
    with app.app_context():
        return db.session.scalar(db.select(Application.id).where(Application.reference == reference))


def sends_to_sign_in(response) -> bool:
    """Return True when `response` sends its visitor to the sign-in page (303 to /masuk?next=…)."""
    return response.status_code == 303 and response.headers["Location"].startswith("/masuk?next=")


def stored(app, model, key):
    """Return the stored `model` row with primary key `key` (None when there is none), detached from the
    session, so that its columns can be read after the app context ends."""
    from portal.extensions import db

    with app.app_context():
        row = db.session.get(model, key)
        if row is not None:
            db.session.expunge(row)
        return row
