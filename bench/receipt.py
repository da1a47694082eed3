"""Loket's PDF receipt benchmark: a warm receipt render against a bare WeasyPrint render of the same paper size.

Run from the repository root: `.venv/bin/python bench/receipt.py [--runs N] [--profile a4|a6]`.

In one run, in a request context of an app built on a temporary SQLite database, it times (median of N
calls, after 3 warm-up calls each):
  1. a bare WeasyPrint render of a minimal page: `HTML(string="<style>@page{size:A4}</style><p>x</p>")
     .write_pdf()`, and the same on A6;
  2. `render_receipt` of a sample application on A4 and on A6: the same receipt again (its QR code is kept
     by URL, as when the resident downloads the other size or a new version), and a receipt with a new
     verification URL on every call (the first render of an application);
  3. a cache hit of `ReceiptCache.get_or_render`, counting the calls of the render callable.
A bare render and the receipts of its size are timed in turns (bare, receipt, new URL, bare, ...), so a
machine that slows down or speeds up mid-run moves all of them alike. The ratio to the bare render of the
same size is checked against design/quality.md: receipt <= 1.5 x bare; a cache hit renders nothing (< 1 ms).
A breakdown follows, to show where a receipt's time goes: the QR code, the layout, the PDF writing, and a
floor: the receipt's words alone as unstyled paragraphs in the receipt's font (no QR code, no other CSS),
which no template carrying those words can beat.

It is a report, not a test: it exits 0 whatever it measures and prints FAIL next to every budget that does
not hold. `--profile a4` adds the top cProfile entries of receipt renders.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import statistics
import sys
import tempfile
import time
import traceback
from html import escape
from html.parser import HTMLParser
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from weasyprint import CSS, HTML  # noqa: E402

from portal import create_app  # noqa: E402
from portal.pdf import receipt  # noqa: E402
from portal.pdf.cache import ReceiptCache  # noqa: E402
from portal.pdf.receipt import ReceiptData, layout_receipt, render_receipt  # noqa: E402

WARM_UP = 3
RECEIPT_BUDGET = 1.5  # x the bare render of the same size
CACHE_HIT_BUDGET_MS = 1.0

SAMPLE = ReceiptData(
    reference="RBG-7K3M-Q9PX",
    service_name="KTP-el baru (perekaman pertama)",
    masked_nik="331701******0001",
    full_name="Siti Nurhaliza binti Abdul Rahman",
    documents=("Kartu Keluarga (KK)", "Akta kelahiran", "Surat pengantar dari desa/kelurahan"),
    submitted_at=datetime(2026, 12, 3, 2, 15, tzinfo=timezone.utc),
    status_label="Diajukan, menunggu pemeriksaan",
    next_steps=("Petugas memeriksa berkas Anda dalam 2 hari kerja.",
                "Jika ada yang perlu diperbaiki, Anda mendapat pesan dan dapat mengganti dokumennya lewat menu Lacak.",
                "Setelah disetujui, datang ke kantor pada jam pengajuan dengan membawa bukti ini."),
    verify_url="https://loket.rembangkab.go.id/verifikasi/Xk3m9Q2pL7vR4tY8wZ1aBcDeFgHiJk",
    office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
    office_address="Jl. Pemuda Km 3, Rembang",
    version=1,
)


def medians_ms(calls: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Return the median wall time in ms of each callable over `runs` calls, timed in turns.

    Each callable is first called WARM_UP times, untimed.
    """
    for call in calls.values():
        for _ in range(WARM_UP):
            call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def bare_render(page: str) -> Callable[[], bytes]:
    """Return a callable rendering a minimal page of size `page` ("A4" or "A6") with WeasyPrint's defaults."""
    html = f"<style>@page{{size:{page}}}</style><p>x</p>"
    return lambda: HTML(string=html).write_pdf()


_NEW_URLS = itertools.count()  # one count for the whole run: a URL of the A4 pass would be cached for A6


def with_new_url() -> Callable[[], ReceiptData]:
    """Return a callable giving the sample with a verification URL that no call in this run gave before."""
    return lambda: replace(SAMPLE, verify_url=f"{SAMPLE.verify_url}{next(_NEW_URLS)}")


def profile(size: str, runs: int, top: int = 25) -> None:
    """Print the top entries by cumulative and by own time of `runs` receipt renders of `size`."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        render_receipt(SAMPLE, size)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\nProfile of {runs} {size.upper()} receipt renders, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)
    print("By own time:")
    stats.sort_stats("tottime").print_stats(top)


def measure(runs: int, folder: Path) -> tuple[list[tuple[str, float, float | None, str]], list[str],
                                                list[tuple[str, float]]]:
    """Return the table's rows, the failed budgets and the breakdown rows."""
    rows: list[tuple[str, float, float | None, str]] = []
    failures: list[str] = []
    breakdown: list[tuple[str, float]] = []
    for size in ("a4", "a6"):
        fresh = with_new_url()
        figures = medians_ms({
            "bare": bare_render(size.upper()),
            "same": lambda: render_receipt(SAMPLE, size),
            "new": lambda: render_receipt(fresh(), size),
        }, runs)
        bare = figures["bare"]
        rows.append((f"bare WeasyPrint page, {size.upper()}", bare, 1.0, ""))
        for key, what in (("same", f"render_receipt, {size.upper()}"), ("new", "  ... new verify URL each call")):
            ratio = figures[key] / bare
            verdict = "ok" if ratio <= RECEIPT_BUDGET else "FAIL"
            rows.append((what, figures[key], ratio, f"<= {RECEIPT_BUDGET} x bare: {verdict}"))
            if verdict == "FAIL":
                failures.append(f"render_receipt {size.upper()}{' (new verify URL)' if key == 'new' else ''} "
                                f"takes {ratio:.2f} x the bare render (budget {RECEIPT_BUDGET} x)")

    cache = ReceiptCache(folder / "receipts")
    renders = 0

    def render() -> bytes:
        nonlocal renders
        renders += 1
        return render_receipt(SAMPLE, "a4")

    cache.get_or_render("1-v1-a4-id", render)
    hit = medians_ms({"hit": lambda: cache.get_or_render("1-v1-a4-id", render)}, runs)["hit"]
    calls = 1 + WARM_UP + runs
    hit_ok = renders == 1 and hit < CACHE_HIT_BUDGET_MS
    rows.append(("ReceiptCache hit, A4", hit, hit / rows[0][1],
                 f"no render, < {CACHE_HIT_BUDGET_MS:g} ms: {'ok' if hit_ok else 'FAIL'} "
                 f"({renders} render{'s' if renders != 1 else ''} in {calls} calls)"))
    if not hit_ok:
        failures.append(f"a cache hit took {hit:.3f} ms and {renders} renders ran in {calls} calls "
                        f"(budget: 1 render, < {CACHE_HIT_BUDGET_MS:g} ms)")

    fresh = with_new_url()
    document = layout_receipt(SAMPLE, "a4")
    words = plain_words_page()
    receipt._renderer()  # the receipt's fonts ("Loket Sans") are loaded in this thread's font configuration
    font_config = receipt.font_config()
    one_font = CSS(string='html { font-family: "Loket Sans" }', font_config=font_config)
    parts = medians_ms({
        "bare": bare_render("A4"),
        "qr": lambda: receipt.qr_png_data_uri.__wrapped__(fresh().verify_url),
        "layout": lambda: layout_receipt(SAMPLE, "a4"),
        "write": lambda: document.write_pdf(),
        "words": lambda: HTML(string=words).write_pdf(font_config=font_config, stylesheets=[one_font]),
    }, runs)
    breakdown = [("QR code: segno encode + PNG, new URL", parts["qr"], None),
                 ("layout_receipt A4 (template, styles, layout)", parts["layout"], None),
                 ("Document.write_pdf A4 (drawing, fonts, PDF)", parts["write"], None),
                 ("floor: the receipt's words as plain <p>, one font,", parts["words"], parts["words"] / parts["bare"]),
                 ("  the receipt's font, no QR, no other CSS, fonts reused", None, None)]
    return rows, failures, breakdown


def plain_words_page() -> str:
    """Return an A4 page holding the sample receipt's words as plain paragraphs: no QR, no styles, one font."""
    html = receipt.render_template(receipt.pdf_template(receipt.TEMPLATE), receipt=SAMPLE, size="a4", qr_data_uri="data:,",
                                   submitted_at=receipt._moment(SAMPLE.submitted_at))

    class Words(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = []
            self.in_body = False

        def handle_starttag(self, tag, attrs) -> None:
            self.in_body = self.in_body or tag == "body"

        def handle_data(self, data) -> None:
            if self.in_body and data.strip():
                self.lines.append(" ".join(data.split()))

    parser = Words()
    parser.feed(html)
    return "<style>@page{size:A4}</style>" + "".join(f"<p>{escape(line)}</p>" for line in parser.lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed calls per figure (default 20)")
    parser.add_argument("--profile", choices=("a4", "a6"), help="also profile receipt renders of this size")
    args = parser.parse_args()

    try:
        with tempfile.TemporaryDirectory(prefix="loket-bench-receipt-") as name:
            folder = Path(name)
            app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench"})
            with app.test_request_context():
                rows, failures, breakdown = measure(args.runs, folder)
                if args.profile:
                    profile(args.profile, args.runs)
    except Exception:  # a report, not a test: say what could not be measured, still exit 0
        traceback.print_exc()
        print("\nFAIL: the receipt could not be measured (see the error above).")
        return 0

    print(f"PDF receipt, median of {args.runs} warm calls (after {WARM_UP} warm-up calls each)\n")
    print(f"{'what':<34} {'median ms':>10} {'ratio':>7}  budget")
    for what, ms, ratio, budget in rows:
        ratio_text = f"{ratio:.2f}" if ratio is not None else ""
        print(f"{what:<34} {ms:>10.3f} {ratio_text:>7}  {budget}")
    print("\nWhere a receipt's time goes (A4, medians, same run):")
    for what, ms, ratio in breakdown:
        figure = f"{ms:>8.3f} ms" if ms is not None else ""
        print(f"  {what:<52} {figure}" + (f"  {ratio:.2f} x bare" if ratio is not None else ""))
    print()
    if failures:
        for failure in failures:
            print(f"FAIL: {failure}")
    else:
        print("All receipt budgets hold.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
