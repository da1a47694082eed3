"""The inbox, `/petugas`: applications to review, filtered and searched, oldest first, with take and release.

What it reads and how (filters, keyset pages, counts) is in `portal.staff.inbox_query`; this module shows
it: names of services and regions, the rows with their actions, the page and the take/release views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import format_date, format_number, get_locale, ngettext
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape
from sqlalchemy import select

from ..auth.guard import roles_required
from ..domain import batch as batch_rules
from ..domain import lifecycle
from ..domain.nik import mask
from ..extensions import db, htmx
from ..models import Application, Batch, Region, Service, User
from ..services import applications, calendar, review, revisions
from ..templating import localized, render
# The query side, re-exported: bench/inbox.py and older callers read them from here.
from .inbox_query import (ALL, COUNTED_STATES, LISTED_STATES, MINE_LIMIT, PAGE_SIZE, PARAMS,  # noqa: F401
                          InboxFilter, Key, Page, Search, _narrowed, _state_clause, counts_query, decode_key,
                          encode_key, mine_query, page_query, read_counts, read_day, read_filter, read_page,
                          read_search)
from .blueprint import STAFF_ROLES, SUPERVISOR_ROLES, bp
from .duplicate_flags import inbox_flag, open_counts

REVIEW_ENDPOINT = "staff.review_page"
BATCH_CHOICES = 40  # the batch filter offers the latest submitted batches; older ones are typed


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
    batch_number: str = ""  # the village batch (berkas kolektif) it came in, if any
    batch_url: str | None = None  # the inbox filtered on that batch
    duplicates: str = ""  # "NIK ini punya 3 permohonan terbuka untuk layanan ini", when it has more than this one
    duplicates_url: str | None = None  # the inbox searched for that NIK and service


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


def _batch_numbers(rows) -> dict[int, str]:
    """Return the numbers of the batches `rows` came in, by batch id (one query per page)."""
    ids = {row.batch_id for row in rows if row.batch_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Batch.id, Batch.number).where(Batch.id.in_(ids))).all())


def batch_choices() -> list[tuple[str, str]]:
    """Return the latest submitted batches as (number, "Desa …, 3 Des 2026") for the batch filter's list."""
    rows = db.session.execute(
        select(Batch.number, Batch.submitted_at, Region.name).join(Region, Region.code == Batch.region_code)
        .where(Batch.state == batch_rules.SUBMITTED).order_by(Batch.submitted_at.desc(), Batch.id.desc())
        .limit(BATCH_CHOICES))
    zone = calendar.office_zone()
    return [(row.number, _("Desa %(name)s, %(date)s", name=row.name,
                           date=format_date(row.submitted_at.astimezone(zone).date(), "d MMM y")))
            for row in rows]


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
        self.batch = url_for("staff.home", berkas=self.PLACEHOLDER).split(self.PLACEHOLDER, 1)

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
    batch_numbers = context.get("batches", {})
    open_by_key, duplicate_texts = context.get("open_counts", {}), context.setdefault("duplicate_texts", {})
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
        duplicate_text, duplicate_url = inbox_flag(row, open_by_key, duplicate_texts)
        shown.append(InboxRow(
            reference=row.reference, service=names_.services.get(row.service_code, row.service_code),
            name=row.full_name or "—", masked_nik=mask(row.nik) if row.nik else "—", desa=desa_name,
            kecamatan=names_.kecamatan_of.get(row.region_code or "", ""), submitted_at=row.submitted_at,
            submitted_day=days[local.date()], submitted_time=f"{local.hour:02d}{separator}{local.minute:02d}",
            waiting=waits[hours_ago], holder=holders.get(row.assigned_to, ""), state=row.state,
            state_label=labels[row.state], mine=mine, review_url=Links.of(links.review, row.reference),
            take_url=Links.of(links.take, row.reference) if row.state == lifecycle.SUBMITTED else None,
            release_url=Links.of(links.release, row.reference) if releasable else None,
            batch_number=batch_numbers.get(row.batch_id, ""),
            batch_url=Links.of(links.batch, batch_numbers[row.batch_id]) if row.batch_id in batch_numbers else None,
            duplicates=duplicate_text, duplicates_url=duplicate_url))
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
                    "batches": _batch_numbers([*page.rows, *mine]), "open_counts": open_counts([*page.rows, *mine]),
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
        shown_status=filters.status or ("" if filters.search else lifecycle.SUBMITTED),
        services=names_.services, region_options=names_.region_select(filters.region), refusal=refusal,
        link_args=link_args, number=format_number, batch_choices=batch_choices())
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

