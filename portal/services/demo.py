"""Demo applications for `make run` (`flask seed --demo`): one in every state, with known references and PINs.

Never seed these on a real deployment. They go through the same services as real ones (so the timeline,
the audit log and the files are what a real application would have), only with fixed references and PINs
so the README can name them.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select

from .. import hashing
from ..domain import lifecycle
from ..domain.reference import hash_pin
from ..extensions import db
from ..models import Application, Batch, Service, User
from ..uploads import inspect_upload
from . import applications, batches, handovers, review

DEMO_PIN = "246810"


@dataclass(frozen=True)
class DemoApplication:
    """One demo application: its reference, service, applicant, desa, state and how long ago it was sent."""

    reference: str
    service: str
    nik: str
    name: str
    desa: str
    state: str
    hours_ago: int


@dataclass(frozen=True)
class DemoBatch:
    """A demo village batch: its number, the operator who filed it, and its applications (drafts when open)."""

    number: str
    operator: str
    hours_ago: int  # how long ago it was submitted; 0 keeps it open
    members: tuple[DemoApplication, ...]
    complete: tuple[bool, ...] = ()  # per member: every required document there (default all)


_DEMO = json.loads((Path(__file__).resolve().parent.parent / "seed" / "demo.json").read_text(encoding="utf-8"))
DEMO_APPLICATIONS = tuple(DemoApplication(*row) for row in _DEMO["applications"])
DEMO_BATCHES = tuple(
    DemoBatch(batch["number"], batch["operator"], batch["hours_ago"],
              tuple(DemoApplication(*row) for row in batch["members"]), tuple(batch.get("complete", ())))
    for batch in _DEMO["batches"])


def seed_demo_applications(now: datetime) -> int:
    """Add the demo applications that are missing, moved to their states by the demo clerk; return how many.

    Needs the catalogue, the regions and the demo clerk (`petugas`); the village batches also need the demo
    operators. Skips one whose service or desa is missing.
    """
    clerk = db.session.scalar(select(User).where(User.username == "petugas"))
    if clerk is None:
        return 0
    added = 0
    for demo in DEMO_APPLICATIONS:
        if db.session.scalar(select(Application.id).where(Application.reference == demo.reference)):
            continue
        service = db.session.get(Service, demo.service)
        if service is None or not service.active:
            continue
        application = _draft(demo, service, now - timedelta(hours=demo.hours_ago))
        sent = now - timedelta(hours=demo.hours_ago)
        applications.submit(application, sent)
        _advance(application, demo.state, clerk, sent, now)
        added += 1
    for batch in DEMO_BATCHES:
        added += _seed_batch(batch, clerk, now)
    return added


def _seed_batch(demo: DemoBatch, clerk: User, now: datetime) -> int:
    """Add one demo batch with its applications (unless it exists); return how many applications were added."""
    operator = db.session.scalar(select(User).where(User.username == demo.operator))
    if operator is None or db.session.scalar(select(Batch.id).where(Batch.number == demo.number)):
        return 0
    services = [db.session.get(Service, member.service) for member in demo.members]
    if any(service is None or not service.active for service in services):
        return 0
    opened = now - timedelta(hours=max(demo.hours_ago, 1) + 24)
    batch = batches.open_batch(operator, opened)
    batch.number = demo.number
    complete = demo.complete or (True,) * len(demo.members)
    members = []
    for member, service, whole in zip(demo.members, services, complete):
        application = _draft(member, service, opened, operator=operator, complete=whole)
        batches.add(batch, application, operator, opened)
        members.append((member, application))
    if not demo.hours_ago:
        return len(members)
    sent = now - timedelta(hours=demo.hours_ago)
    batches.submit(batch, operator, sent)
    for member, application in members:
        _advance(application, member.state, clerk, sent, now)
    return len(members)


def _draft(demo: DemoApplication, service: Service, sent: datetime, operator: User | None = None,
           complete: bool = True) -> Application:
    """Return a new draft of `demo` with its answers and (when `complete`) every required document."""
    application, _pin = applications.start_draft(
        service, sent - timedelta(minutes=20), channel="village" if operator else "resident", filed_by=operator,
        consent="in_person" if operator else None)
    application.reference, application.pin_hash = demo.reference, hash_pin(DEMO_PIN, hashing.method())
    applications.save_applicant(application, sent - timedelta(minutes=15), nik=demo.nik, full_name=demo.name,
                                birth_date=_birth_date(demo.nik), phone="+6281234567890", region_code=demo.desa)
    for question in service.questions:
        if question.get("required", True):
            applications.save_answer(application, sent - timedelta(minutes=10), question["code"], _answer(question))
    required = [document for document in service.documents if document.get("required", True)]
    for document in required if complete else required[:-1]:
        clean = inspect_upload(_photo(document.get("name_id", document["code"])), max_bytes=10 * 1024 * 1024)
        applications.attach_document(application, sent - timedelta(minutes=5), document["code"], clean)
    return application


def _advance(application: Application, state: str, clerk: User, sent: datetime, now: datetime) -> None:
    """Move a submitted demo application on to `state` the way the demo clerk would have."""
    if state == lifecycle.SUBMITTED:
        return
    looked = sent + timedelta(hours=2)
    review.take(application, clerk, looked)
    if state == lifecycle.IN_REVIEW:
        return
    if state == lifecycle.NEEDS_CORRECTION:
        first = application.documents[0]
        review.judge_document(application, first, clerk, looked, accept=False,
                              reason="Foto buram dan terpotong di bagian bawah. Foto ulang seluruh halaman.")
        review.ask_correction(application, clerk, looked)
        return
    review.approve(application, clerk, looked)
    if state == lifecycle.APPROVED:
        return
    ready = looked + timedelta(hours=20)
    if review.self_printed(application):
        review.attach_output(application, clerk, ready, inspect_upload(_signed_pdf(), max_bytes=10 * 1024 * 1024))
    else:
        place, slot = review.proposal(application, now)
        review.mark_ready(application, clerk, min(ready, now), place.code, slot.day, str(slot.window))
    if state == lifecycle.COLLECTED:
        handovers.hand_over(application, clerk, now - timedelta(hours=1), "applicant", nik_typed=application.nik,
                            reason="Contoh untuk latihan")


def _birth_date(nik: str) -> date:
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    return date(2000 + year if year < 30 else 1900 + year, month, day - 40 if day > 40 else day)


def _answer(question: dict):
    if question.get("options"):
        return question["options"][0]["value"]
    return {"date": date(2024, 6, 5), "nik": "3317010101880001", "kk": "3317010101880001"}.get(
        question.get("type"), "Contoh isian")


def _photo(label: str) -> bytes:
    """Return a phone-photo-sized JPEG that says it is a demo document."""
    image = Image.new("RGB", (1200, 1600), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1140, 1540), outline=(90, 90, 90), width=6)
    for line, text in enumerate(("CONTOH - BUKAN DOKUMEN ASLI", label)):
        draw.text((120, 160 + line * 80), text, fill=(40, 40, 40), font_size=48)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _signed_pdf() -> bytes:
    """Return a one-page PDF standing in for a signed, self-printed certificate."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
