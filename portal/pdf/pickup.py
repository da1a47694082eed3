"""The pickup receipt (tanda terima pengambilan): one template printed on A6 or on an 80 mm thermal roll.

A pickup receipt tells its holder what to collect, where, on which day and in which window, who may collect
it, and carries a QR code that opens `/verifikasi/<token>` (the clerk's handover page accepts that URL when a
USB scanner types it). It shows the NIK masked only. `render_pickup_receipts` prints many (one per page) for
"print all for a day". Rendering needs an app and request context (for `render_template`, `_()`, `url_for`
and the office's time zone). As for the other receipts, nothing is fetched while rendering but `data:` URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from flask import current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from weasyprint.document import Document

from ..domain.hours import Window
from ..domain.nik import mask
from ..services.calendar import zone_label
from ..templating import clock_time, localized, long_date, public_url
from .cache import document_cache
from .render import (layout_html, paper_css, parsed_stylesheet, pdf_template, qr_png_data_uri, require_masked,
                     require_size)

TEMPLATE = "pdf/pickup.html"  # in HERE / "templates"; a file of that name in the app's templates wins
SIZES = ("a6", "80")

# One print stylesheet for both sizes: the root's class (a6 or t80) picks the named page and the scale.
# Parsed once per process. Black only (thermal paper dithers grey; A6 often goes to the same printer), DejaVu
# fonts. The 80 mm roll needs a fixed page length: it fits the longest content (a long service and place
# name, a long name, the village-operator line) with a little to spare, and the printer cuts after it.
# The QR code keeps at least 25 mm with its quiet zone as white padding.
STYLESHEET = paper_css(
    a6=("A6", "6mm 6mm 5mm", "7.5pt", 1.28),
    t80=("80mm 200mm", "4mm 5mm 3mm", "8.5pt", 1.27),
) + """\
body, p, h1, h2 { margin: 0; }
h1, h2, b { font-weight: bold; }
.sheet + .sheet { break-before: page; }
.ref, .url { font-family: "DejaVu Sans Mono", monospace; }
.office { border-bottom: 1pt solid #000; }
.top { display: flow-root; }  /* holds the A6 QR code's float */
.qr { text-align: center; }
.qr img { display: block; margin: 0 auto; image-rendering: pixelated; }  /* its padding is the QR code's quiet zone */
.url { overflow-wrap: anywhere; }
.row .k { display: inline-block; text-indent: 0; }
.item { padding-left: 0.91em; text-indent: -0.91em; }  /* hangs after "• " */
.when b { font-size: 1.2em; }
.note { border-top: 0.75pt solid #000; }

/* A6: the QR code beside the reference. */
.a6 .office { padding-bottom: 1.2mm; font-size: 6.5pt; }
.a6 .office b { font-size: 7.5pt; }
.a6 h1 { font-size: 10pt; margin: 2mm 0 1mm; }
.a6 .qr { float: right; width: 36mm; margin-left: 1mm; font-size: 6.5pt; line-height: 1.2; }
.a6 .qr img { width: 28mm; height: 28mm; padding: 3mm; margin-top: -3mm; }
.a6 .url { font-size: 5.5pt; }
.a6 .k { font-size: 6.5pt; }
.a6 .ref { font-size: 14pt; line-height: 1.15; margin-bottom: 1.8mm; }
.a6 .row { padding-left: 17mm; text-indent: -17mm; margin-bottom: 0.7mm; }
.a6 .row .k { width: 17mm; }
.a6 h2 { font-size: 7.5pt; margin: 2mm 0 0.5mm; }
.a6 .place, .a6 .when { margin-bottom: 0.8mm; }
.a6 .item { margin-bottom: 0.4mm; }
.a6 .note { font-size: 6.5pt; margin-top: 2mm; padding-top: 1mm; }

/* 80 mm: 70 mm to print on, one column, the QR code centred under the details. */
.t80 .office { padding-bottom: 1.5mm; font-size: 7.5pt; text-align: center; }
.t80 .office b { font-size: 10pt; }
.t80 h1 { font-size: 9.5pt; margin: 2.5mm 0 1.5mm; text-align: center; letter-spacing: 0.04em; }
.t80 .k { font-size: 7.5pt; }
.t80 .ref { font-size: 15pt; line-height: 1.15; margin-bottom: 2mm; text-align: center; }
.t80 .top > .k { text-align: center; }
.t80 .row { padding-left: 18mm; text-indent: -18mm; margin-bottom: 0.8mm; }
.t80 .row .k { width: 18mm; }
.t80 h2 { font-size: 8.5pt; margin: 2.5mm 0 0.6mm; }
.t80 .place, .t80 .when { margin-bottom: 1mm; }
.t80 .item { margin-bottom: 0.5mm; }
.t80 .qr { margin-top: 2.5mm; font-size: 7pt; line-height: 1.2; }
.t80 .qr img { width: 30mm; height: 30mm; padding: 2.5mm; }
.t80 .url { font-size: 6pt; }
.t80 .note { font-size: 7.5pt; margin-top: 2mm; padding-top: 1.2mm; }
"""



@dataclass(frozen=True)
class PickupReceiptData:
    """What a pickup receipt shows. The caller masks the NIK; the full NIK never reaches this module.

    `document_name` is what is collected ("KTP-el"), `window_text` the window as the office writes it
    ("08.00–14.00"), `zone` its label ("WIB"), `who_may_collect` one line per kind of collector.
    Raises ValueError when `masked_nik` holds sixteen digits in a row or `who_may_collect` is empty.
    """

    reference: str
    service_name: str
    document_name: str
    full_name: str
    masked_nik: str
    place_name: str
    place_address: str
    day: date
    window_text: str
    zone: str
    who_may_collect: tuple[str, ...]
    verify_url: str
    office_name: str
    office_short_name: str
    version: int  # of the application: names the cached file, never printed (it reads as a revision count)

    def __post_init__(self) -> None:
        require_masked(self.masked_nik)
        if not self.who_may_collect:
            raise ValueError("who_may_collect needs at least one line")
        object.__setattr__(self, "who_may_collect", tuple(self.who_may_collect))


def pickup_receipt_data(application) -> PickupReceiptData:
    """Return what the pickup receipt of a ready, collected-in-person `application` shows (NIK masked).

    Needs a request context. Raises ValueError when the application has no pickup place, date or window.
    """
    place = application.pickup_place
    if place is None or application.pickup_date is None or not application.pickup_window:
        raise ValueError(f"{application.reference} has no pickup place, date and window")
    return PickupReceiptData(
        reference=application.reference, service_name=localized(application.service, "name"),
        document_name=document_name(application.service), full_name=application.full_name or "",
        masked_nik=mask(application.nik or ""), place_name=place.name, place_address=place.address or "",
        day=application.pickup_date, window_text=pickup_window_text(application.pickup_window),
        zone=zone_label(), who_may_collect=who_may_collect(application),
        verify_url=public_url(url_for("verify.page", token=application.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_short_name=current_app.config["OFFICE_SHORT_NAME"],
        version=application.version or 1,
    )


def document_name(service) -> str:
    """Return the name of the card a collected-in-person service hands over ("KTP-el"), else the service's."""
    by_group = {"KTP": _("KTP-el"), "KIA": _("Kartu Identitas Anak (KIA)"), "PINDAH": _("KK dan KTP-el")}
    return by_group.get(service.group) or localized(service, "name")


def who_may_collect(application) -> tuple[str, ...]:
    """Return who may collect `application`'s document and what each must bring, one line each."""
    lines = [_("Pemohon sendiri, membawa KTP-el atau KK asli."),
             _("Orang yang diberi kuasa, membawa surat kuasa bertanda tangan pemohon serta KTP-el pemohon "
               "dan KTP-el penerima kuasa.") if application.service.proxy_letter else
             _("Orang yang diwakilkan pemohon, membawa KTP-el pemohon dan KTP-el-nya sendiri.")]
    if application.channel == "village":
        lines.append(_("Operator desa, bila diambil bersama untuk desa (kolektif)."))
    return tuple(lines)


def pickup_window_text(window: str) -> str:
    """Return a stored window "08:00-14:00" as the office writes it: "08.00–14.00" ("08:00–14:00" in English).

    Raises ValueError for a window that is not "HH:MM-HH:MM".
    """
    parsed = Window.parse(window)
    return f"{clock_time(parsed.start)}–{clock_time(parsed.end)}"


def render_pickup_receipt(data: PickupReceiptData, size: str) -> bytes:
    """Return one pickup receipt as a one-page PDF of `size` ("a6" or "80" mm roll) in the current language.

    Needs an app and request context. Raises ValueError for any other size.
    """
    return layout_pickup_receipts([data], size).write_pdf()


def render_pickup_receipts(datas: Iterable[PickupReceiptData], size: str) -> bytes:
    """Return many pickup receipts as one PDF of `size`, one receipt per page, in the given order.

    Needs an app and request context. Raises ValueError for an unknown size or when `datas` is empty.
    """
    return layout_pickup_receipts(list(datas), size).write_pdf()


def layout_pickup_receipts(datas: Sequence[PickupReceiptData], size: str) -> Document:
    """Return the receipts laid out on `size` paper, as a WeasyPrint document not yet written to PDF.

    Raises ValueError for an unknown size or an empty `datas`.
    """
    require_size(size, SIZES, "pickup receipt")
    if not datas:
        raise ValueError("no pickup receipt to render")
    html = render_template(pdf_template(TEMPLATE), receipts=[(data, long_date(data.day), qr_png_data_uri(data.verify_url))
                                                  for data in datas],
                           page_class="a6" if size == "a6" else f"t{size}", title=_title(datas))
    return layout_html(html, [parsed_stylesheet(STYLESHEET)])


def _title(datas: Sequence[PickupReceiptData]) -> str:
    """Return the PDF's title: the reference for one receipt, the day (or a count) for many."""
    if len(datas) == 1:
        return _("Tanda Terima Pengambilan %(reference)s", reference=datas[0].reference)
    days = {data.day for data in datas}
    if len(days) == 1:
        return _("Tanda Terima Pengambilan %(date)s", date=long_date(datas[0].day))
    return _("Tanda Terima Pengambilan (%(count)s)", count=len(datas))


def pickup_receipt_key(application, size: str) -> str:
    """Return the cache key (and ETag) of a pickup receipt: it changes with the application's version, the
    service's (a supervisor changing who may collect, or the service's name), the size and the language."""
    changed = application.service.updated_at
    service_version = f"{changed:%Y%m%d%H%M%S%f}" if changed else "0"
    return f"pickup-{application.id}-v{application.version}-s{service_version}-{size}-{get_locale()}"


def cached_pickup_receipt(application, size: str) -> bytes:
    """Return the pickup receipt PDF of `application`, rendering it only if this version was never rendered.

    Needs a request context. Raises what `pickup_receipt_data` and `render_pickup_receipt` raise.
    """
    require_size(size, SIZES, "pickup receipt")
    return document_cache().get_or_render(
        pickup_receipt_key(application, size), lambda: render_pickup_receipt(pickup_receipt_data(application), size))
