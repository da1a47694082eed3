"""The batch cover sheet (sampul berkas kolektif), A4: what a desa's operator hands in with a batch.

It names the desa (and kecamatan), the operator, the date and the batch number in large type, lists every
application (reference, service, name, masked NIK, number of documents) with a tick box for the office, and
carries a QR code of the batch's `/verifikasi/<token>`. An open batch prints too, marked as a draft.
Rendering needs an app and request context; nothing but `data:` URLs is fetched (see `receipt.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from ..domain.nik import mask
from ..extensions import db
from ..models import Batch, Region
from ..services.calendar import office_zone, zone_label
from ..templating import clock_time, localized, long_date, public_url
from .render import layout_html, parsed_stylesheet, pdf_template, qr_png_data_uri, require_aware, require_masked
from .sheet import A4_LIST_STYLESHEET

TEMPLATE = "pdf/cover.html"

# The shared A4 list sheet (sheet.py), and this sheet's own rules.
STYLESHEET = A4_LIST_STYLESHEET + """\
.draft { border: 1.5pt solid #000; padding: 2mm 3mm; margin-top: 4mm; font-weight: bold; font-size: 11pt; }
.n, .docs { width: 8mm; text-align: right; }
"""



@dataclass(frozen=True)
class CoverLine:
    """One application on the cover sheet; the NIK arrives masked."""

    reference: str
    service_name: str
    full_name: str
    masked_nik: str
    documents: int

    def __post_init__(self) -> None:
        require_masked(self.masked_nik)


@dataclass(frozen=True)
class CoverData:
    """What a cover sheet shows. `submitted` False prints it as a draft. Raises ValueError when `dated` is naive."""

    number: str
    desa_name: str
    kecamatan_name: str
    operator_name: str
    dated: datetime  # submitted, or for a draft when it was opened
    submitted: bool
    lines: tuple[CoverLine, ...]
    verify_url: str
    office_name: str
    office_short_name: str

    def __post_init__(self) -> None:
        require_aware(self.dated, "dated")
        object.__setattr__(self, "lines", tuple(self.lines))


def cover_data(batch: Batch) -> CoverData:
    """Return what the cover sheet of `batch` shows (NIKs masked here). Needs a request context."""
    region = batch.region
    kecamatan = db.session.get(Region, region.parent_code) if region is not None and region.parent_code else None
    submitted = batch.submitted_at is not None
    lines = tuple(CoverLine(reference=application.reference, service_name=localized(application.service, "name"),
                            full_name=application.full_name or "",
                            masked_nik=mask(application.nik) if application.nik else "—",
                            documents=len(application.documents))
                  for application in batch.applications)
    return CoverData(
        number=batch.number, desa_name=region.name if region else batch.region_code,
        kecamatan_name=kecamatan.name if kecamatan else "",
        operator_name=(batch.submitted_by_name if submitted else "") or batch.created_by_name,
        dated=batch.submitted_at if submitted else batch.created_at, submitted=submitted, lines=lines,
        verify_url=public_url(url_for("verify.page", token=batch.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_short_name=current_app.config["OFFICE_SHORT_NAME"])


def render_cover(data: CoverData) -> bytes:
    """Return the cover sheet as an A4 PDF (one or more pages) in the current language. Needs a request context."""
    local = data.dated.astimezone(office_zone())
    html = render_template(pdf_template(TEMPLATE), cover=data, qr=qr_png_data_uri(data.verify_url),
                           dated=_("%(date)s pukul %(time)s", date=long_date(local),
                                   time=f"{clock_time(local)} {zone_label()}"),
                           title=_("Sampul Berkas Kolektif %(number)s", number=data.number))
    return layout_html(html, [parsed_stylesheet(STYLESHEET)]).write_pdf()
