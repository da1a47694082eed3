"""Database tables. Behaviour lives in `portal/domain` and `portal/services`; these are the stored facts."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, func, text, true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db


def utcnow() -> datetime:
    """Return the current instant in UTC (what every timestamp column stores)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC and always read back as an aware UTC datetime, on SQLite and PostgreSQL alike.

    SQLite keeps no offset, so an aware WIB time would otherwise come back as a naive, wrong one. Raises
    ValueError for a naive datetime: every instant the portal stores carries its zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store aware datetimes only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Region(db.Model):
    """A kecamatan or desa/kelurahan of the regency, by its Kemendagri code (`33.17.01.2001`)."""

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))  # kecamatan, desa, kelurahan
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))


service_pickup_place = db.Table(
    "service_pickup_place",
    db.Column("service_code", ForeignKey("service.code", ondelete="CASCADE"), primary_key=True),
    db.Column("place_code", ForeignKey("pickup_place.code", ondelete="CASCADE"), primary_key=True),
)


class PickupPlace(db.Model):
    """Where finished documents can be collected (the Dinas, the public service mall, kecamatan offices)."""

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    prints_ktp: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A place no longer used is switched off, not deleted: applications keep pointing at it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())


class Service(db.Model):
    """One service of the catalogue with what a resident must know, bring and upload.

    Texts come in Indonesian (`*_id`) and English (`*_en`); `requirements`, `documents` and `questions`
    are lists of small dicts as in `portal/seed/catalogue.json`.
    """

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    group: Mapped[str] = mapped_column(String(12), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    applicant_id: Mapped[str] = mapped_column(Text, default="")
    applicant_en: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[list] = mapped_column(JSON, default=list)
    documents: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    visit_required: Mapped[bool] = mapped_column(Boolean, default=False)
    visit_reason_id: Mapped[str] = mapped_column(Text, default="")
    visit_reason_en: Mapped[str] = mapped_column(Text, default="")
    output: Mapped[str] = mapped_column(String(20), default="self_print")  # or security_blank
    processing_time_id: Mapped[str] = mapped_column(Text, default="")
    processing_time_en: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    notice_id: Mapped[str] = mapped_column(Text, default="")
    notice_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    pickup_places: Mapped[list[PickupPlace]] = relationship(
        secondary=service_pickup_place, order_by=PickupPlace.position, lazy="selectin")


class DayRule(db.Model):
    """An office decision for one date: closed with a reason, or opened (e.g. on a cuti bersama day).

    `activity` NULL covers both submission and pickup; `windows` is a list of "HH:MM-HH:MM" strings, empty
    meaning that weekday's regular windows.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    activity: Mapped[str | None] = mapped_column(String(12))
    opens: Mapped[bool] = mapped_column(Boolean, default=False)
    windows: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficeHours(db.Model):
    """The office's regular windows for one activity on one weekday, set in `/admin/jam`.

    `windows` is a list of "HH:MM-HH:MM" strings; empty means closed that weekday. While the table holds no
    row for an activity, that activity's hours come from the `OFFICE_HOURS` setting.
    """

    activity: Mapped[str] = mapped_column(String(12), primary_key=True)
    weekday: Mapped[str] = mapped_column(String(3), primary_key=True)  # mon..sun
    windows: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Notice(db.Model):
    """A notice under the banner, for everyone or for one service, shown from `starts_on` to `ends_on`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str | None] = mapped_column(String(300))
    service_code: Mapped[str | None] = mapped_column(ForeignKey("service.code", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Revision(db.Model):
    """A counter bumped by every change to what the public pages show, so caches know when to refresh."""

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Application(db.Model):
    """One application for a service, from its draft to its end.

    The PIN is stored only as a hash. `version` grows with every change a receipt shows, so a cached
    receipt of an unchanged application is served again without rendering.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("service.code"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    channel: Mapped[str] = mapped_column(String(12), default="resident")  # resident, village, counter
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    full_name: Mapped[str | None] = mapped_column(String(120))
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    address_line: Mapped[str | None] = mapped_column(String(200))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    accepted_warnings: Mapped[list] = mapped_column(JSON, default=list)
    skipped_documents: Mapped[list] = mapped_column(JSON, default=list)  # optional uploads left out
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The office's side: who is reviewing it, and where and when it can be collected once ready.
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pickup_place_code: Mapped[str | None] = mapped_column(ForeignKey("pickup_place.code"))
    pickup_date: Mapped[date | None] = mapped_column(Date, index=True)
    pickup_window: Mapped[str | None] = mapped_column(String(11))  # "08:00-09:00"
    output_stored_name: Mapped[str | None] = mapped_column(String(80))  # the signed PDF of a self-print service
    # Filed by a village operator on the resident's behalf: who, how the resident consented, and the batch.
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    consent: Mapped[str | None] = mapped_column(String(12))  # in_person, signed_form
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id", ondelete="SET NULL"), index=True)
    # Sort key of the inbox: the submission instant, then the id (keyset pagination).
    __table_args__ = (
        db.Index("ix_application_inbox", "state", "submitted_at", "id"),
        db.Index("ix_application_inbox_service", "service_code", "state", "submitted_at", "id"),
        db.Index("ix_application_inbox_region", "region_code", "state", "submitted_at", "id"),
        db.Index("ix_application_inbox_counts", "state", "service_code", "region_code"),  # counts per status
        db.Index("ix_application_submitted", "submitted_at", "id"),  # "every status", oldest first
    )

    service: Mapped[Service] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")
    pickup_place: Mapped[PickupPlace | None] = relationship(lazy="joined")
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assigned_to], lazy="joined")
    filer: Mapped["User | None"] = relationship(foreign_keys=[filed_by])
    batch: Mapped["Batch | None"] = relationship(back_populates="applications")
    handover: Mapped["Handover | None"] = relationship(back_populates="application", cascade="all, delete-orphan")
    documents: Mapped[list["ApplicationDocument"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationDocument.id")
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id")


# Name search in the inbox: a prefix of the lower-cased name.
db.Index("ix_application_name", func.lower(Application.full_name))


class ApplicationDocument(db.Model):
    """A scan or photo uploaded for one required document, stored under a random name outside `static/`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # image, pdf
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="received")  # received, accepted, needs_fix
    fix_reason: Mapped[str] = mapped_column(String(300), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class ApplicationEvent(db.Model):
    """One step of an application's history: a state change (or a note), who made it, when and why."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(20))  # applicant, clerk, system
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")

    application: Mapped[Application] = relationship(back_populates="events")


class User(db.Model):
    """A staff member or village operator who signs in; residents never have accounts.

    Roles: operator (one desa, `region_code`), clerk, supervisor, admin. Failed sign-ins are counted and
    lock the account for a while; a disabled account cannot sign in at all.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(Integer, default=1)  # bumped to sign out everywhere
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region | None] = relationship(lazy="joined")

    # Flask-Login's interface
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Return the session identity: the id and the session version, so a password change ends sessions."""
        return f"{self.id}:{self.session_version}"


class QueueSequence(db.Model):
    """The last ticket number handed out for one prefix on one day.

    Its row is the lock that makes issuing atomic: a ticket is issued in one transaction that locks this row
    (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: `SELECT … FOR UPDATE`), checks the quota and the NIK, and takes
    `last_number + 1`, so two workers can never hand out the same number or go over the quota.
    """

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class QuotaRule(db.Model):
    """A supervisor's figures for one day and purpose: counters on duty, or a fixed quota per window.

    `window_start` "" covers every window of the day; "09:00" only the window starting then. A fixed `quota`
    wins over `counters`, a rule for one window over the rule for the whole day.
    """

    __table_args__ = (db.UniqueConstraint("day", "purpose_code", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    purpose_code: Mapped[str] = mapped_column(String(12))
    window_start: Mapped[str] = mapped_column(String(5), default="")
    counters: Mapped[int | None] = mapped_column(Integer)
    quota: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueueTicket(db.Model):
    """A queue ticket: `A-001` on one day, for one purpose and hourly window, booked online or at the kiosk.

    `code` (shown on the ticket) lets its holder view and cancel it; `verification_token` is in its QR code.
    At most one active (waiting or called) ticket per NIK, day and purpose: a partial unique index enforces it.
    """

    __table_args__ = (
        db.UniqueConstraint("day", "prefix", "number"),
        db.Index("uq_queue_ticket_active_nik", "day", "purpose_code", "nik", unique=True,
                 sqlite_where=text("state IN ('waiting', 'called') AND nik IS NOT NULL"),
                 postgresql_where=text("state IN ('waiting', 'called') AND nik IS NOT NULL")),
        db.Index("ix_queue_ticket_day_state", "day", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    day: Mapped[date] = mapped_column(Date)
    purpose_code: Mapped[str] = mapped_column(String(12))
    prefix: Mapped[str] = mapped_column(String(4))
    number: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[str] = mapped_column(String(5))  # "09:00"
    window_end: Mapped[str] = mapped_column(String(5))
    channel: Mapped[str] = mapped_column(String(10))  # online, walk_in
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    nik: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=1)  # place in its window's line when issued
    counter: Mapped[int | None] = mapped_column(Integer)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # served, no-show or cancelled
    served_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def label(self) -> str:
        """Return the number people see and hear, e.g. "A-001"."""
        return f"{self.prefix}-{self.number:03d}"


class AuditEntry(db.Model):
    """One line of the audit log: a clerk's view of a scan or a change they made, with who and when.

    `action` is a short code (view_scan, take, release, accept_document, ask_fix, approve, ask_correction,
    reject, ready, upload_output, handover, print); `detail` says what exactly, in words.
    """

    __table_args__ = (db.Index("ix_audit_entry_at_id", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    user_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(30), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"), index=True)
    reference: Mapped[str] = mapped_column(String(20), default="")  # kept when the application is gone
    detail: Mapped[str] = mapped_column(String(500), default="")


class Handover(db.Model):
    """The handing over of a ready document: to whom (the applicant or an authorised person), when, by whom."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    clerk_name: Mapped[str] = mapped_column(String(120), default="")
    collector: Mapped[str] = mapped_column(String(12))  # applicant, authorised, operator
    collector_name: Mapped[str] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(60), default="")
    id_number: Mapped[str] = mapped_column(String(20), default="")  # NIK of an authorised collector
    slip_token: Mapped[str] = mapped_column(String(40), unique=True)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_manifest.id", ondelete="SET NULL"),
                                                    index=True)  # handed over from a collective manifest

    application: Mapped[Application] = relationship(back_populates="handover")


class Batch(db.Model):
    """A village's collective file (berkas kolektif): applications filed by its operators, submitted at once.

    `state` is what the operator did (open, submitted); how far the office got (partly ready, ready,
    collected) is read from the applications by `portal.domain.batch.progress`.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # "KOL-7K3M-Q9PX"
    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_name: Mapped[str] = mapped_column(String(120), default="")

    region: Mapped[Region] = relationship(lazy="joined")
    applications: Mapped[list[Application]] = relationship(back_populates="batch", order_by="Application.id")


manifest_item = db.Table(
    "manifest_item",
    db.Column("manifest_id", ForeignKey("pickup_manifest.id", ondelete="CASCADE"), primary_key=True),
    db.Column("application_id", ForeignKey("application.id", ondelete="CASCADE"), primary_key=True),
)


class PickupManifest(db.Model):
    """A collective pickup manifest: the desa's ready documents the operator will collect, with tick boxes.

    The clerk scans its code at `/petugas/serah` and hands the items over one by one.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # "AMB-7K3M-Q9PX"
    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")
    applications: Mapped[list[Application]] = relationship(secondary=manifest_item, order_by="Application.id")


class Notification(db.Model):
    """One message to a resident about their application, in the outbox until a sender delivers it.

    `event` is what happened (correction, approved, ready, collected, rejected); `channel` how it goes (sms,
    email) and `recipient` where (+62 number or address). `state`: queued (waiting, or retried after a failed
    attempt at `next_attempt_at`), sent, or failed (gave up after the last attempt; `last_error` says why).
    """

    __table_args__ = (db.Index("ix_notification_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The message belongs to its application: only drafts are ever deleted, and drafts are never notified.
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
