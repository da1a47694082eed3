"""The inbox, `/petugas`: applications to review, filtered and searched, oldest first, with take and release.

Every list is read with a keyset (the last row's submission instant and id), never with OFFSET, so the
hundredth page costs what the first does; the filters are written so that the indexes on (state,
submitted_at, id), (service_code, state, submitted_at, id) and (region_code, state, submitted_at, id) give
the rows already in order, the remaining filters being checked on the way (see bench/inbox.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import format_date, format_number, get_locale, ngettext
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape
from sqlalchemy import and_, func, or_, select

from ..auth.guard import roles_required
from ..domain import lifecycle
from ..domain.nik import mask
from ..domain.nik import normalize as digits_only
from ..domain.reference import normalize_reference
from ..extensions import db, htmx
from ..models import Application, Region, Service, User
from ..services import applications, calendar, review, revisions
from ..templating import localized, render
from .routes import STAFF_ROLES, SUPERVISOR_ROLES, bp

PAGE_SIZE = 25
MINE_LIMIT = 10  # the box shows the clerk's current work; the rest is one link away
ALL = "semua"
REVIEW_ENDPOINT = "staff.review_page"
# Counted per status: the work in progress. Ended applications pile up for years and counting them would
# read the whole history on every page; they stay one filter away, without a number.
COUNTED_STATES = (lifecycle.SUBMITTED, lifecycle.IN_REVIEW, lifecycle.NEEDS_CORRECTION, lifecycle.APPROVED,
                  lifecycle.READY)
LISTED_STATES = COUNTED_STATES + (lifecycle.COLLECTED, lifecycle.REJECTED, lifecycle.CANCELLED)
PARAMS = ("cari", "status", "layanan", "wilayah", "dari", "sampai", "urutan")
_KEY = re.compile(r"(\d{8}T\d{12})\.(\d{1,12})")


def status_label(state: str) -> str:
    """Return the office's short name of a state (what a clerk calls it), or of ALL."""
    return status_labels()[state]


def status_labels() -> dict[str, str]:
    """Return the office's short name of every listed state and of ALL (translated once per page)."""
    return {
        lifecycle.SUBMITTED: _("Menunggu diperiksa"),
        lifecycle.IN_REVIEW: _("Sedang diperiksa"),
        lifecycle.NEEDS_CORRECTION: _("Menunggu perbaikan"),
        lifecycle.APPROVED: _("Disetujui"),
        lifecycle.READY: _("Siap diambil"),
        lifecycle.COLLECTED: _("Sudah diambil"),
        lifecycle.REJECTED: _("Ditolak"),
        lifecycle.CANCELLED: _("Dibatalkan"),
        ALL: _("Semua status"),
    }


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

    def states(self) -> tuple[str, ...]:
        """Return the states listed: the chosen one, every listed one, or the queue (a search looks everywhere)."""
        if self.status == ALL or (not self.status and self.search):
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
    filters = InboxFilter(status=status, service=service, region=region, day_from=days["dari"],
                          day_to=days["sampai"], search=search, newest_first=args.get("urutan") == "terbaru")
    return filters, errors


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
               Application.assigned_to)


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


def _search_clause(search: Search):
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
        query = query.where(_search_clause(filters.search))
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


# --------------------------------------------------------------------------------------------------------
# What a row shows


@dataclass(frozen=True)
class InboxRow:
    """One application as the inbox shows it, with the addresses of its actions (None: not offered)."""

    reference: str
    service: str
    name: str
    masked_nik: str
    desa: str
    kecamatan: str
    submitted_at: datetime
    submitted_day: str  # "21 Nov 2026"
    submitted_time: str  # "08.30", in the office's zone
    waiting: str
    holder: str
    state: str
    state_label: str
    mine: bool
    review_url: str | None
    take_url: str | None
    release_url: str | None


def waiting_time(since: datetime | None, now: datetime) -> str:
    """Return how long ago `since` was, roughly: "12 menit", "5 jam", "3 hari"."""
    if since is None:
        return "—"
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(num)s menit", "%(num)s menit", minutes)
    if minutes < 24 * 60:
        return ngettext("%(num)s jam", "%(num)s jam", minutes // 60)
    return ngettext("%(num)s hari", "%(num)s hari", minutes // (24 * 60))


@dataclass(frozen=True)
class Names:
    """What the inbox shows for codes: service names, regions (name, kind, parent), where a desa lies
    ("Kec. Sumber") and the region filter's options."""

    services: dict[str, str]
    regions: dict[str, tuple[str, str, str | None]]
    kecamatan_of: dict[str, str]
    region_options: str  # the <option>s of the region select, none selected (escaped HTML)

    def region_select(self, selected: str) -> Markup:
        """Return the region <option>s with `selected` (a known code, or "") selected."""
        if not selected:
            return Markup(self.region_options)
        mark = f'<option value="{selected}">'
        return Markup(self.region_options.replace(mark, f'<option value="{selected}" selected>', 1))


_NAMES = "loket_inbox_names"


def names() -> Names:
    """Return the service and region names in the visitor's language, read once per process and catalogue
    revision (the region select alone is 300 options; building it on every page would double its cost)."""
    key = (revisions.current(revisions.CATALOGUE), str(get_locale()))
    cache = current_app.extensions.setdefault(_NAMES, {})
    if key not in cache:
        regions = _regions()
        kecamatan_of = {code: _("Kec. %(name)s", name=regions[parent][0])
                        for code, (_name, _kind, parent) in regions.items() if parent in regions}
        found = Names(_services(), regions, kecamatan_of, _region_options(regions))
        if not regions:
            return found  # regions not seeded yet: do not keep an empty list
        if len(cache) > 4:  # older revisions
            cache.clear()
        cache[key] = found
    return cache[key]


def _services() -> dict[str, str]:
    rows = db.session.execute(select(Service.code, Service.name_id, Service.name_en)
                              .order_by(Service.position, Service.code))
    return {row.code: localized(row._asdict(), "name") for row in rows}


def _regions() -> dict[str, tuple[str, str, str | None]]:
    rows = db.session.execute(select(Region.code, Region.name, Region.kind, Region.parent_code)
                              .where(Region.kind != "province").order_by(Region.code))
    return {row.code: (row.name, row.kind, row.parent_code) for row in rows}


def _region_options(regions: dict) -> str:
    """Return the <option>s of the region select: one group per kecamatan, the whole kecamatan first."""
    groups = {code: (name, []) for code, (name, kind, _parent) in regions.items() if kind == "kecamatan"}
    for code, (name, kind, parent) in regions.items():
        if kind != "kecamatan" and parent in groups:
            groups[parent][1].append((code, name))
    html = []
    for code, (name, desa) in groups.items():
        html.append(f'<optgroup label="{escape(_("Kecamatan %(name)s", name=name))}">')
        html.append(f'<option value="{escape(code)}">{escape(_("Kec. %(name)s — semua desa", name=name))}</option>')
        html += [f'<option value="{escape(desa_code)}">{escape(desa_name)}</option>' for desa_code, desa_name in desa]
        html.append("</optgroup>")
    return "\n".join(html)


def _holders(rows) -> dict[int, str]:
    ids = {row.assigned_to for row in rows if row.assigned_to}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


class Links:
    """The addresses of a row's review page and actions: built once per page with a placeholder reference,
    then completed per row (url_for for every row and action costs more than the rest of the row)."""

    PLACEHOLDER = "__reference__"

    def __init__(self, action_args: dict[str, str]):
        review = _review_url(self.PLACEHOLDER)
        self.review = review.split(self.PLACEHOLDER, 1) if review else None
        self.take = url_for("staff.inbox_take", reference=self.PLACEHOLDER, **action_args).split(self.PLACEHOLDER, 1)
        self.release = url_for("staff.inbox_release", reference=self.PLACEHOLDER,
                               **action_args).split(self.PLACEHOLDER, 1)

    @staticmethod
    def of(parts: list[str] | None, reference: str) -> str | None:
        """Return the address `parts` make around `reference` (references are URL-safe: A-Z, 0-9, dashes)."""
        return parts[0] + reference + parts[1] if parts else None


def present(rows, context: dict) -> list[InboxRow]:
    """Return `rows` as the inbox shows them: `context` holds names, holders, user, now, zone, labels, links.

    Dates and waiting times repeat from row to row, so each is formatted once per page.
    """
    names_, holders, user, now = context["names"], context["holders"], context["user"], context["now"]
    zone, labels, links = context["zone"], context["labels"], context["links"]
    supervisor, separator = user.role in SUPERVISOR_ROLES, "." if str(get_locale()) == "id" else ":"
    days, waits, shown = context.setdefault("days", {}), context.setdefault("waits", {}), []
    for row in rows:
        desa_name = names_.regions.get(row.region_code or "", ("—",))[0]
        local = row.submitted_at.astimezone(zone)
        if local.date() not in days:
            days[local.date()] = format_date(local.date(), "d MMM y")
        hours_ago = int((now - row.submitted_at).total_seconds() // 60)
        if hours_ago not in waits:
            waits[hours_ago] = waiting_time(row.submitted_at, now)
        mine = row.assigned_to == user.id
        releasable = row.state == lifecycle.IN_REVIEW and row.assigned_to is not None and (mine or supervisor)
        shown.append(InboxRow(
            reference=row.reference, service=names_.services.get(row.service_code, row.service_code),
            name=row.full_name or "—", masked_nik=mask(row.nik) if row.nik else "—", desa=desa_name,
            kecamatan=names_.kecamatan_of.get(row.region_code or "", ""), submitted_at=row.submitted_at,
            submitted_day=days[local.date()], submitted_time=f"{local.hour:02d}{separator}{local.minute:02d}",
            waiting=waits[hours_ago], holder=holders.get(row.assigned_to, ""), state=row.state,
            state_label=labels[row.state], mine=mine, review_url=Links.of(links.review, row.reference),
            take_url=Links.of(links.take, row.reference) if row.state == lifecycle.SUBMITTED else None,
            release_url=Links.of(links.release, row.reference) if releasable else None))
    return shown


# --------------------------------------------------------------------------------------------------------
# Views


def _review_url(reference: str) -> str | None:
    """Return the review page of `reference`, or None while that page does not exist yet."""
    if REVIEW_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(REVIEW_ENDPOINT, reference=reference)


def _kept_args(args) -> dict[str, str]:
    """Return the filters of `args` worth keeping in a link (the empty ones left out)."""
    return {name: args.get(name, "").strip() for name in PARAMS if args.get(name, "").strip()}


def _inbox(refusal: str | None = None, status: int = 200):
    """Return the inbox for the filters in the query string, with a refusal message when given."""
    args = request.args
    names_ = names()
    filters, errors = read_filter(args, names_.services, names_.regions)
    page, counts, mine = Page([], None, None), {}, []
    after, before = decode_key(args.get("setelah")), decode_key(args.get("sebelum"))
    if not errors:
        page = read_page(filters, after=after, before=None if after else before)
        counts = read_counts(filters)
    first_page = after is None and before is None
    if first_page and not filters.search:
        mine = list(db.session.execute(mine_query(current_user.id)))
    kept = _kept_args(args)
    rows_context = {"names": names_, "holders": _holders([*page.rows, *mine]), "user": current_user,
                    "now": calendar.now(), "zone": calendar.office_zone(), "labels": status_labels(),
                    "links": Links({**kept, **_page_args(args)})}
    context = dict(
        filters=filters, errors=errors, typed={name: args.get(name, "") for name in PARAMS}, kept=kept,
        rows=present(page.rows, rows_context), mine=present(mine[:MINE_LIMIT], rows_context),
        mine_more=len(mine) > MINE_LIMIT,
        next_url=url_for("staff.home", **kept, setelah=encode_key(page.next_key)) if page.next_key else None,
        previous_url=url_for("staff.home", **kept, sebelum=encode_key(page.previous_key))
        if page.previous_key else None,
        first_url=url_for("staff.home", **kept) if not first_page else None,
        counts=counts, listed_states=LISTED_STATES, all_status=ALL, status_label=rows_context["labels"].__getitem__,
        services=names_.services, region_options=names_.region_select(filters.region), refusal=refusal,
        link_args=link_args, number=format_number)
    if errors and htmx and request.headers.get("HX-Target") == "results":
        # The messages belong next to the fields, outside the results: swap the whole inbox instead.
        response = make_response(render_block("staff/inbox.html", "inbox", **context))
        response.headers.update({"HX-Retarget": "#inbox", "HX-Reswap": "outerHTML"})
        return response
    html = render("staff/inbox.html", fragments=("results", "inbox"), **context)
    if errors and not htmx:
        status = max(status, 422)
    return make_response(html, status)


def link_args(kept: dict, *names: str, **changes) -> dict[str, str]:
    """Return the link arguments `kept` without `names` and with the non-empty `changes` (for the template)."""
    return {**{k: v for k, v in kept.items() if k not in names}, **{k: v for k, v in changes.items() if v}}


def _page_args(args) -> dict[str, str]:
    return {name: args[name] for name in ("setelah", "sebelum") if decode_key(args.get(name))}


@bp.get("")
@roles_required(*STAFF_ROLES)
def home():
    """Return the inbox: the filter form, counts per state, the clerk's own reviews and a page of rows."""
    return _inbox()


def _submitted_application(reference: str) -> Application:
    """Return the application of `reference` as the office sees it; abort 404 for an unknown one or a draft."""
    application = applications.find(reference)
    if application is None or application.state == lifecycle.DRAFT:
        abort(404)
    return application


def refusal_message(refused: review.Refused, application: Application, releasing: bool = False) -> str:
    """Return the sentence a clerk reads for a refused take (or release, when `releasing`)."""
    if refused.code == "taken":
        holder = application.assignee.full_name if application.assignee else _("petugas lain")
        return _("Sudah diambil oleh %(name)s.", name=holder)
    if refused.code == "not_yours":
        return _("Hanya petugas yang memeriksanya atau kepala bidang yang dapat melepas permohonan ini.")
    if releasing:
        return _("Permohonan %(reference)s tidak sedang diperiksa, jadi tidak ada yang dilepas.",
                 reference=application.reference)
    if application.state == lifecycle.IN_REVIEW:
        return _("Permohonan %(reference)s sedang diperiksa, tidak menunggu di antrean.",
                 reference=application.reference)
    return _("Permohonan %(reference)s tidak lagi menunggu diperiksa (%(state)s).",
             reference=application.reference, state=status_label(application.state).lower()) \
        if application.state in LISTED_STATES else _("Permohonan ini tidak dapat diambil.")


@bp.post("/<reference>/ambil")
@roles_required(*STAFF_ROLES)
def inbox_take(reference: str):
    """Take an application for review and open its review page (303); 409 on the inbox when refused, 404 for
    an unknown reference."""
    application = _submitted_application(reference)
    try:
        review.take(application, current_user, calendar.now())
    except review.Refused as refused:
        return _inbox(refusal_message(refused, application), 409)
    target = _review_url(application.reference) or url_for("staff.home", **_kept_args(request.args),
                                                          **_page_args(request.args))
    return redirect(target, 303)


@bp.post("/<reference>/lepas")
@roles_required(*STAFF_ROLES)
def inbox_release(reference: str):
    """Put an application in review back in the queue (its reviewer, or a supervisor for anyone's) and
    return to the inbox (303); 409 on the inbox when refused, 404 for an unknown reference."""
    application = _submitted_application(reference)
    holder = application.assignee.full_name if application.assignee else ""
    try:
        review.release(application, current_user, calendar.now())
    except review.Refused as refused:
        return _inbox(refusal_message(refused, application, releasing=True), 409)
    flash(_("%(reference)s dilepas dari %(name)s dan kembali ke antrean.", reference=application.reference,
            name=holder) if holder and holder != current_user.full_name
          else _("%(reference)s kembali ke antrean.", reference=application.reference))
    return redirect(url_for("staff.home", **_kept_args(request.args), **_page_args(request.args)), 303)

