"""What the inbox reads: its filters from the query string, and the keyset queries of its pages and counts.

Every list is read with a keyset (the last row's submission instant and id), never with OFFSET, so the
hundredth page costs what the first does; the filters are written so that the indexes on (state,
submitted_at, id), (service_code, state, submitted_at, id) and (region_code, state, submitted_at, id) give
the rows already in order, the remaining filters being checked on the way (see bench/inbox.py). The views
that show them are in `portal.staff.inbox`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from ..domain import batch as batch_rules
from ..domain import lifecycle
from ..domain.nik import normalize as digits_only
from ..domain.reference import normalize_reference
from ..extensions import db
from ..models import Application, Batch
from ..services import batches, calendar

PAGE_SIZE = 25
MINE_LIMIT = 10  # the box shows the clerk's current work; the rest is one link away
ALL = "semua"
# Counted per status: the work in progress. Ended applications pile up for years and counting them would
# read the whole history on every page; they stay one filter away, without a number.
COUNTED_STATES = (lifecycle.SUBMITTED, lifecycle.IN_REVIEW, lifecycle.NEEDS_CORRECTION, lifecycle.APPROVED,
                  lifecycle.READY)
LISTED_STATES = COUNTED_STATES + (lifecycle.COLLECTED, lifecycle.REJECTED, lifecycle.CANCELLED)
PARAMS = ("cari", "status", "layanan", "wilayah", "berkas", "dari", "sampai", "urutan")
_KEY = re.compile(r"(\d{8}T\d{12})\.(\d{1,12})")


# --------------------------------------------------------------------------------------------------------
# What the clerk asked for


@dataclass(frozen=True)
class Search:
    """What was typed in the search box, read as a reference, a NIK or the start of a name."""

    kind: str  # "reference", "nik", "name"
    value: str  # the canonical reference, the 16 digits, or the lower-cased start of the name
    reference: str | None = None  # a name that also reads as a reference ("HARTANTO") is tried as both


@dataclass(frozen=True)
class InboxFilter:
    """The inbox's filters; every field is optional. `status` "" is the work queue (submitted)."""

    status: str = ""
    service: str = ""
    region: str = ""  # a kecamatan ("33.17.01") or a desa ("33.17.01.2001")
    day_from: date | None = None
    day_to: date | None = None
    search: Search | None = None
    newest_first: bool = False
    batch_id: int | None = None  # a village batch (berkas kolektif)
    batch_number: str = ""

    def states(self) -> tuple[str, ...]:
        """Return the states listed: the chosen one, every listed one, or the queue (a search or a batch looks
        everywhere)."""
        if self.status == ALL or (not self.status and (self.search or self.batch_id)):
            return LISTED_STATES
        return (self.status or lifecycle.SUBMITTED,)


def read_search(typed: str, prefix: str) -> tuple[Search | None, str | None]:
    """Return what a typed search means, and an error message or None.

    Digits only (spaces, dots and dashes allowed) are a NIK and must be 16; text that reads as a reference
    and has a digit, a dash or the prefix is a reference; anything else is the start of a name (2+ letters).
    """
    typed = " ".join(typed.split())[:120]
    if not typed:
        return None, None
    digits = digits_only(typed)
    if digits.isdigit():
        if len(digits) != 16:
            return None, _("NIK harus 16 angka. Yang Anda ketik %(count)s angka.", count=len(digits))
        return Search("nik", digits), None
    reference = normalize_reference(typed, prefix)
    if reference and (any(c.isdigit() for c in typed) or "-" in typed or typed.upper().startswith(prefix.upper())):
        return Search("reference", reference), None
    if len(typed) < 2:
        return None, _("Ketik paling sedikit 2 huruf nama, atau nomor permohonan, atau NIK.")
    return Search("name", typed.lower(), reference), None


def read_day(typed: str) -> date | None:
    """Return the date typed as 2026-12-03 (what a date input sends) or 3-12-2026 / 3/12/2026, else None
    (also for a year outside 2000-2999, which no application has and date arithmetic may not survive)."""
    typed = typed.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            day = datetime.strptime(typed, pattern).date()
        except ValueError:
            continue
        return day if 2000 <= day.year <= 2999 else None
    return None


def read_filter(args, services: dict, regions: dict) -> tuple[InboxFilter, dict[str, str]]:
    """Return the filters in the query string `args` and the error message per field (empty when all is well).

    `services` and `regions` are the known codes; a field with an error is left out of the filter.
    """
    errors: dict[str, str] = {}
    status = args.get("status", "").strip()
    if status and status not in LISTED_STATES and status != ALL:
        errors["status"], status = _("Pilih status dari daftar."), ""
    service = args.get("layanan", "").strip().upper()
    if service and service not in services:
        errors["layanan"], service = _("Layanan ini tidak dikenal. Pilih dari daftar."), ""
    region = args.get("wilayah", "").strip()
    if region and region not in regions:
        errors["wilayah"], region = _("Wilayah ini tidak dikenal. Pilih dari daftar."), ""
    days = {}
    for name, message in (("dari", _("Tanggal awal tidak dikenali. Tulis seperti 2026-12-03.")),
                          ("sampai", _("Tanggal akhir tidak dikenali. Tulis seperti 2026-12-03."))):
        typed = args.get(name, "").strip()
        days[name] = read_day(typed) if typed else None
        if typed and days[name] is None:
            errors[name] = message
    if days["dari"] and days["sampai"] and days["sampai"] < days["dari"]:
        errors["sampai"], days["sampai"] = _("Tanggal akhir tidak boleh sebelum tanggal awal."), None
    search, search_error = read_search(args.get("cari", ""), current_app.config["REFERENCE_PREFIX"])
    if search_error:
        errors["cari"] = search_error
    batch, batch_error = read_batch(args.get("berkas", ""))
    if batch_error:
        errors["berkas"] = batch_error
    filters = InboxFilter(status=status, service=service, region=region, day_from=days["dari"],
                          day_to=days["sampai"], search=search, newest_first=args.get("urutan") == "terbaru",
                          batch_id=batch.id if batch else None, batch_number=batch.number if batch else "")
    return filters, errors


def read_batch(typed: str) -> tuple[Batch | None, str | None]:
    """Return the submitted village batch whose number was typed ("KOL-7K3M-Q9PX", any case, dashes or not)
    and None, or None and an error message (an open batch is the operator's: the office does not see it)."""
    typed = typed.strip()[:40]
    if not typed:
        return None, None
    batch = batches.by_number(typed)
    if batch is None or batch.state != batch_rules.SUBMITTED:
        return None, _("Tidak ada berkas kolektif bernomor %(number)s. Tulis seperti KOL-7K3M-Q9PX.",
                       number=typed)
    return batch, None


# --------------------------------------------------------------------------------------------------------
# Keys of the keyset: the (submitted_at, id) of a row, written into a link


Key = tuple[datetime, int]


def encode_key(key: Key) -> str:
    """Return a row's key as it goes in a link: "20261203T020000000000.42" (UTC, microseconds, id)."""
    submitted_at, row_id = key
    return f"{submitted_at.astimezone(timezone.utc):%Y%m%dT%H%M%S%f}.{row_id}"


def decode_key(text: str | None) -> Key | None:
    """Return the key written by `encode_key`, or None for anything else (a link edited by hand)."""
    match = _KEY.fullmatch(text or "")
    if not match:
        return None
    try:
        instant = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return instant, int(match.group(2))


# --------------------------------------------------------------------------------------------------------
# Queries


ROW_COLUMNS = (Application.id, Application.reference, Application.service_code, Application.full_name,
               Application.nik, Application.region_code, Application.submitted_at, Application.state,
               Application.assigned_to, Application.batch_id)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), calendar.office_zone())


def _name_starts(start: str):
    """Return the condition "the name starts with `start`, whatever the case": a range an index on
    lower(full_name) can serve, and a LIKE that makes it exact under any collation."""
    escaped = start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    name = func.lower(Application.full_name)
    following = ord(start[-1]) + 1
    if following > 0x10FFFF or 0xD800 <= following <= 0xDFFF:  # no character to end the range with
        return and_(name >= start, name.like(escaped + "%", escape="\\"))
    return and_(name >= start, name < start[:-1] + chr(following), name.like(escaped + "%", escape="\\"))


def search_clause(search: Search):
    """Return the condition "matches what was typed": the reference, the NIK, or the start of the name."""
    if search.kind == "nik":
        return Application.nik == search.value
    if search.kind == "reference":
        return Application.reference == search.value
    by_name = _name_starts(search.value)
    return or_(Application.reference == search.reference, by_name) if search.reference else by_name


def _narrowed(query, filters: InboxFilter):
    """Return `query` narrowed by every filter except the state and the page."""
    if filters.service:
        query = query.where(Application.service_code == filters.service)
    if filters.region and filters.region.count(".") == 3:
        query = query.where(Application.region_code == filters.region)
    elif filters.region:
        # LIKE, not a range: the kecamatan is checked on the rows the state or service index gives in order.
        query = query.where(Application.region_code.like(filters.region + ".%"))
    if filters.day_from:
        query = query.where(Application.submitted_at >= _day_start(filters.day_from))
    if filters.day_to:
        query = query.where(Application.submitted_at < _day_start(filters.day_to + timedelta(days=1)))
    if filters.search:
        query = query.where(search_clause(filters.search))
    if filters.batch_id:
        query = query.where(Application.batch_id == filters.batch_id)
    return query


def _state_clause(states: tuple[str, ...]):
    """Return the condition on the state. Every listed state is written "not a draft, and submitted" (a
    cancelled draft never was): an IN list of eight states would tempt SQLite's planner, without statistics,
    into walking the state index for a name search instead of the name's own index."""
    if set(states) == set(LISTED_STATES):
        return and_(Application.state != lifecycle.DRAFT, Application.submitted_at.is_not(None))
    condition = Application.state == states[0] if len(states) == 1 else Application.state.in_(states)
    if lifecycle.CANCELLED in states:
        condition = and_(condition, Application.submitted_at.is_not(None))  # drafts given up were never submitted
    return condition


def _beyond(key: Key, descending: bool):
    """Return "comes after `key` in this order", written so an index range starts at the key."""
    submitted_at, row_id = key
    if descending:
        return and_(Application.submitted_at <= submitted_at,
                    or_(Application.submitted_at < submitted_at, Application.id < row_id))
    return and_(Application.submitted_at >= submitted_at,
                or_(Application.submitted_at > submitted_at, Application.id > row_id))


def page_query(filters: InboxFilter, key: Key | None = None, backwards: bool = False, size: int = PAGE_SIZE):
    """Return the SELECT of one page (size + 1 rows, to know whether another follows) after `key`, or before
    it when `backwards` (then in reverse order)."""
    descending = filters.newest_first != backwards
    query = _narrowed(select(*ROW_COLUMNS), filters).where(_state_clause(filters.states()))
    if key is not None:
        query = query.where(_beyond(key, descending))
    order = (Application.submitted_at.desc(), Application.id.desc()) if descending else \
        (Application.submitted_at, Application.id)
    return query.order_by(*order).limit(size + 1)


@dataclass(frozen=True)
class Page:
    """One page of rows, and the keys of the pages on either side (None where there is none)."""

    rows: list
    next_key: Key | None
    previous_key: Key | None


def read_page(filters: InboxFilter, after: Key | None = None, before: Key | None = None,
              size: int = PAGE_SIZE) -> Page:
    """Return the page following `after` (or preceding `before`; or the first page)."""
    if before is not None:
        rows = list(db.session.execute(page_query(filters, before, backwards=True, size=size)))
        more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(rows, _key(rows[-1]) if rows else None, _key(rows[0]) if rows and more else None)
    rows = list(db.session.execute(page_query(filters, after, size=size)))
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, _key(rows[-1]) if rows and more else None, _key(rows[0]) if rows and after else None)


def _key(row) -> Key:
    return row.submitted_at, row.id


def counts_query(filters: InboxFilter):
    """Return the SELECT of how many applications each state in progress holds under the filters."""
    query = select(Application.state, func.count()).where(Application.state.in_(COUNTED_STATES))
    return _narrowed(query, filters).group_by(Application.state)


def read_counts(filters: InboxFilter) -> dict[str, int]:
    """Return {state: how many} for every state in COUNTED_STATES (0 when none), in one query."""
    found = dict(db.session.execute(counts_query(filters)).all())
    return {state: found.get(state, 0) for state in COUNTED_STATES}


def mine_query(user_id: int):
    """Return the SELECT of the applications `user_id` is reviewing, oldest first."""
    return select(*ROW_COLUMNS).where(Application.state == lifecycle.IN_REVIEW,
                                      Application.assigned_to == user_id) \
        .order_by(Application.submitted_at, Application.id).limit(MINE_LIMIT + 1)
