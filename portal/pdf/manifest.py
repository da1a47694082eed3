"""The collective pickup manifest (manifes pengambilan kolektif), A4, and the handover slip of one visit, 80 mm.

A manifest lists a desa's ready documents that its operator collects for the residents: the desa, the
operator (the authorised collector), the date, its code in large type, one line per document (reference,
service, name, masked NIK, pickup place and day) with a tick box, and a QR code of `/verifikasi/<token>`
that the counter's USB scanner types into `/petugas/serah`. "Print all for a day" puts many manifests in
one PDF, each starting on a new page. The visit's slip lists what the office handed over from one manifest.
Rendering needs an app and request context; nothing but `data:` URLs is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from ..domain.nik import mask
from ..services.calendar import office_zone, zone_label
from ..templating import clock_time, localized, long_date, public_url, short_date
from .pickup import document_name, pickup_window_text
from .render import (layout_html, parsed_stylesheet, pdf_template, qr_png_data_uri, require_aware,
                     require_masked)
from .sheet import A4_LIST_STYLESHEET

TEMPLATE = "pdf/manifest.html"
SLIP_TEMPLATE = "pdf/manifest_slip.html"

# The shared A4 list sheet (sheet.py), and this sheet's own rules.
STYLESHEET = A4_LIST_STYLESHEET + """\
.sheet + .sheet { break-before: page; }
.n { width: 6mm; text-align: right; }
.done { font-size: 7pt; }
"""

# The visit's slip on an 80 mm roll (70 mm to print on). WeasyPrint needs the page's length: it grows with
# the number of lines (SLIP_BASE_MM + SLIP_LINE_MM each), and the printer cuts after it.
SLIP_STYLESHEET = """\
html { font-family: "DejaVu Sans", sans-serif; color: #000; font-size: 8.5pt; line-height: 1.28; }
body, p, h1 { margin: 0; }
h1, b { font-weight: bold; }
.office { text-align: center; border-bottom: 0.75pt solid #000; font-size: 9pt; padding-bottom: 1.5mm; }
h1 { text-align: center; letter-spacing: 0.06em; font-size: 11pt; margin: 2.5mm 0 1mm; }
.code { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; text-align: center; font-size: 13pt;
        margin-bottom: 2mm; }
.k { display: block; font-size: 0.85em; }
.row { margin-bottom: 1.4mm; break-inside: avoid; }
.line { border-top: 0.5pt solid #000; padding-top: 1mm; margin-bottom: 1mm; break-inside: avoid; }
.ref { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
.sign { text-align: center; margin-top: 2mm; }
.sign p { display: inline-block; width: 49%; vertical-align: top; }
.sign .space { display: block; height: 13mm; }
.qr { text-align: center; margin-top: 2mm; font-size: 7pt; line-height: 1.2; }
.qr img { display: block; margin: 0 auto; width: 26mm; height: 26mm; padding: 2.5mm; image-rendering: pixelated; }
.url { font-family: "DejaVu Sans Mono", monospace; font-size: 5pt; overflow-wrap: anywhere; }
.note { border-top: 0.75pt solid #000; text-align: center; font-size: 7.5pt; margin-top: 1.5mm; padding-top: 1.2mm; }
"""
SLIP_BASE_MM = 150
SLIP_LINE_MM = 16



@dataclass(frozen=True)
class ManifestLine:
    """One document on a manifest or a slip. The NIK arrives masked. `pickup` is "Kantor …, Senin 7 Des 2026";
    `handed_over` says when it left the office ("" while it waits)."""

    reference: str
    service_name: str
    document_name: str
    full_name: str
    masked_nik: str
    pickup: str
    handed_over: str = ""

    def __post_init__(self) -> None:
        require_masked(self.masked_nik)


@dataclass(frozen=True)
class ManifestData:
    """What a manifest shows. Raises ValueError when `created_at` is naive or there is no line."""

    code: str
    desa_name: str
    kecamatan_name: str
    collector_name: str
    created_by_name: str
    created_at: datetime
    lines: tuple[ManifestLine, ...]
    verify_url: str
    office_name: str
    office_short_name: str

    def __post_init__(self) -> None:
        require_aware(self.created_at, "created_at")
        if not self.lines:
            raise ValueError("a manifest needs at least one line")
        object.__setattr__(self, "lines", tuple(self.lines))


@dataclass(frozen=True)
class ManifestSlipData:
    """What the slip of one visit shows: the lines handed over, to which operator, by which clerk, when."""

    code: str
    desa_name: str
    collector_name: str
    clerk_name: str
    handed_at: datetime
    lines: tuple[ManifestLine, ...]
    verify_url: str
    office_name: str
    office_address: str

    def __post_init__(self) -> None:
        require_aware(self.handed_at, "handed_at")
        if not self.lines:
            raise ValueError("a slip needs at least one line")
        object.__setattr__(self, "lines", tuple(self.lines))


def line_of(application, handed_over: str = "") -> ManifestLine:
    """Return the manifest line of `application` (NIK masked here). Needs a request context."""
    place = application.pickup_place.name if application.pickup_place else ""
    when = short_date(application.pickup_date) if application.pickup_date else ""
    if when and application.pickup_window:
        when = f"{when}, {pickup_window_text(application.pickup_window)} {zone_label()}"
    return ManifestLine(
        reference=application.reference, service_name=localized(application.service, "name"),
        document_name=document_name(application.service), full_name=application.full_name or "",
        masked_nik=mask(application.nik) if application.nik else "",
        pickup=", ".join(part for part in (place, when) if part), handed_over=handed_over)


def manifest_data(manifest, collector_name: str) -> ManifestData:
    """Return what the PDF of `manifest` shows; `collector_name` is the operator who collects. Needs a request
    context. Raises ValueError for a manifest without items."""
    from ..extensions import db
    from ..models import Region

    region = manifest.region
    kecamatan = db.session.get(Region, region.parent_code) if region is not None and region.parent_code else None
    lines = []
    for application in sorted(manifest.applications, key=lambda a: a.reference):
        handover = application.handover
        lines.append(line_of(application, short_date(handover.at.astimezone(office_zone()).date())
                             if handover is not None else ""))
    return ManifestData(
        code=manifest.code, desa_name=region.name if region else manifest.region_code,
        kecamatan_name=kecamatan.name if kecamatan else "", collector_name=collector_name,
        created_by_name=manifest.created_by_name, created_at=manifest.created_at, lines=tuple(lines),
        verify_url=public_url(url_for("verify.page", token=manifest.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_short_name=current_app.config["OFFICE_SHORT_NAME"])


def render_manifests(datas: Sequence[ManifestData]) -> bytes:
    """Return the manifests as one A4 PDF, each starting on a new page, in the current language.

    Needs an app and request context. Raises ValueError when `datas` is empty.
    """
    if not datas:
        raise ValueError("no manifest to render")
    sheets = [(data, long_date(data.created_at.astimezone(office_zone())), qr_png_data_uri(data.verify_url))
              for data in datas]
    title = (_("Manifes Pengambilan %(code)s", code=datas[0].code) if len(datas) == 1
             else _("Manifes Pengambilan (%(count)s)", count=len(datas)))
    html = render_template(pdf_template(TEMPLATE), sheets=sheets, title=title)
    return layout_html(html, [parsed_stylesheet(STYLESHEET)]).write_pdf()


def render_manifest_slip(data: ManifestSlipData) -> bytes:
    """Return the slip of one visit as a PDF on an 80 mm roll, as long as its lines need.

    Needs an app and request context.
    """
    local = data.handed_at.astimezone(office_zone())
    handed_at = _("%(date)s pukul %(time)s", date=long_date(local), time=f"{clock_time(local)} {zone_label()}")
    html = render_template(pdf_template(SLIP_TEMPLATE), slip=data, handed_at=handed_at,
                           qr_data_uri=qr_png_data_uri(data.verify_url))
    length = SLIP_BASE_MM + SLIP_LINE_MM * len(data.lines)
    page = parsed_stylesheet(f"@page {{ size: 80mm {length}mm; margin: 4mm 5mm 3mm; }}")
    return layout_html(html, [parsed_stylesheet(SLIP_STYLESHEET), page]).write_pdf()
