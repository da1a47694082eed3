"""Loket's Lighthouse report: mobile scores of the resident pages, with the system Chromium.

Run from the repository root: `.venv/bin/python bench/lighthouse/run.py [--runs 3] [--pages /lacak /masuk ...]`.

In one run it
  1. installs the pinned Lighthouse (`npm ci` in bench/lighthouse/) when `node_modules/` is missing;
  2. builds a fresh SQLite database in a temporary directory (`flask db upgrade`, `flask seed --demo`);
  3. serves the portal under gunicorn (`-w 2`) on a free port of 127.0.0.1, and always stops it;
  4. runs Lighthouse on each page, once or `--runs N` times keeping the median-performance run (mobile form
     factor, default simulated throttling; categories performance, accessibility, best-practices, seo) with
     CHROME_PATH=/usr/bin/chromium; a run that hits Lighthouse's intermittent NO_NAVSTART is tried again;
  5. prints the four scores per page and every audit of those categories that is not a full pass, once,
     with the pages it fell short on; writes each page's report (JSON and HTML) and a summary.json to
     bench/results/lighthouse/.

It is a report, not a test: it exits 0 when every page was measured, whether or not the scores reach 100.
It exits 1 only when something could not be measured (npm missing, the server does not start, Lighthouse fails).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, so that `bench.common` imports

from bench.common import (REPO, BenchError, GunicornServer, exit_on_failure, interrupt_on_sigterm,  # noqa: E402
                          portal_environment, prepare_database)

HERE = Path(__file__).resolve().parent
RESULTS_DIR = REPO / "bench" / "results" / "lighthouse"
LIGHTHOUSE_CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"

PAGES = ("/", "/layanan", "/layanan/ktp_baru", "/jadwal", "/lacak", "/ajukan/ktp_hilang", "/masuk")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORY_SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
# design/quality.md: "Lighthouse, mobile: performance 100, accessibility 100, best practices 100".
BAR = ("performance", "accessibility", "best-practices")

CHROME_PATH = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync")
LIGHTHOUSE_TIMEOUT_S = 240
ATTEMPTS = 3  # per run: Lighthouse's trace recording fails now and then (NO_NAVSTART) on a page that is fine

# Findings that a portal served over plain HTTP on localhost gets by construction. They are reported, marked,
# never hidden. (Lighthouse treats 127.0.0.1 as a secure context, so most of these do not fire at all.)
EXPECTED_ON_HTTP = {
    "is-on-https": "the bench serves plain HTTP",
    "redirects-http": "no HTTPS listener to redirect to",
    "has-hsts": "HSTS is only sent, and only honoured, over HTTPS",
    "uses-http2": "browsers speak HTTP/2 only over TLS; gunicorn speaks HTTP/1.1",
}
EXPECTED_NOTE = "expected on plain-HTTP localhost"

# Scores that say nothing about pass or fail.
UNSCORED_MODES = {"manual", "notApplicable", "informative"}
# Best practices' group of header checks whose audits are "informative" (never scored) yet list findings.
TRUST_AND_SAFETY = "best-practices-trust-safety"


# --------------------------------------------------------------------------------------------------------
# Set-up: npm (the database and the server come from bench/common.py)


def ensure_lighthouse() -> None:
    """Run `npm ci` in bench/lighthouse/ when node_modules/ is missing; raise BenchError when it cannot."""
    if LIGHTHOUSE_CLI.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError("npm is not on PATH: install Node.js (>= 18.16) and npm")
    print("Installing Lighthouse (npm ci in bench/lighthouse/) ...", flush=True)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True)
    if done.returncode != 0 or not LIGHTHOUSE_CLI.exists():
        raise BenchError(f"`npm ci` failed:\n{done.stdout}{done.stderr}")


# --------------------------------------------------------------------------------------------------------
# Lighthouse


def slug(path: str) -> str:
    """Return a file-name stem for a page path: `/` -> `home`, `/layanan/ktp_baru` -> `layanan_ktp_baru`."""
    return path.strip("/").replace("/", "_") or "home"


def stop_lighthouse(process: subprocess.Popen) -> None:
    """Stop a Lighthouse run and its Chromium: SIGINT, on which chrome-launcher kills the Chromium it started
    (in a process group of its own), then SIGKILL to Lighthouse's group after 15 s."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def run_lighthouse(url: str, out_stem: Path, log_path: Path) -> dict:
    """Run Lighthouse on `url`, write `out_stem`.report.json/.html, and return the parsed JSON report.

    Raises BenchError when Lighthouse fails, times out or reports a runtime error.
    """
    for old in out_stem.parent.glob(out_stem.name + ".report.*"):
        old.unlink()
    if not LIGHTHOUSE_CLI.exists():
        raise BenchError(f"{LIGHTHOUSE_CLI.relative_to(REPO)} has gone (node_modules removed during the run?)")
    # With several outputs Lighthouse takes --output-path without its extension: STEM.report.json/.html.
    command = ["node", str(LIGHTHOUSE_CLI), url,
               "--form-factor=mobile",  # the default config's, said out loud; throttling stays the default
               f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={CHROME_FLAGS}",
               "--output=json", "--output=html", f"--output-path={out_stem}",
               "--quiet"]
    env = dict(os.environ, CHROME_PATH=CHROME_PATH)
    with open(log_path, "a") as log:
        log.write(f"\n=== {url}\n")
        log.flush()
        process = subprocess.Popen(command, cwd=HERE, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            returncode = process.wait(timeout=LIGHTHOUSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            stop_lighthouse(process)
            raise BenchError(f"Lighthouse did not finish {url} within {LIGHTHOUSE_TIMEOUT_S} s") from None
        except BaseException:
            stop_lighthouse(process)
            raise
    report_path = out_stem.parent / (out_stem.name + ".report.json")
    if returncode != 0 or not report_path.exists():
        raise BenchError(f"Lighthouse exited with {returncode} on {url}; see {log_path.relative_to(REPO)}")
    report = json.loads(report_path.read_text())
    if report.get("runtimeError"):
        error = report["runtimeError"]
        raise BenchError(f"Lighthouse runtime error on {url}: {error.get('code')}: {error.get('message')}")
    return report


def measure_page(url: str, out_stem: Path, log_path: Path, runs: int) -> tuple[dict, list[int | None]]:
    """Run Lighthouse `runs` times on `url`; return the report of the median-performance run and every run's
    performance score. The chosen run's reports are the ones left at `out_stem`.report.json/.html.

    A run that fails is tried again, up to ATTEMPTS times in all (Lighthouse's trace recording fails now and
    then with NO_NAVSTART on a page that is fine); raises BenchError when every attempt fails.
    """
    kept: list[tuple[int, dict, Path]] = []
    for index in range(runs):
        stem = out_stem if runs == 1 else out_stem.with_name(f"{out_stem.name}-run{index + 1}")
        for attempt in range(1, ATTEMPTS + 1):
            try:
                report = run_lighthouse(url, stem, log_path)
                break
            except BenchError as error:
                if attempt == ATTEMPTS:
                    raise
                with open(log_path, "a") as log:
                    log.write(f"(attempt {attempt} failed, trying again: {error})\n")
        score = report["categories"]["performance"]["score"]
        kept.append((-1 if score is None else round(score * 100), report, stem))
    ordered = sorted(kept, key=lambda item: item[0])
    _, report, stem = ordered[(len(ordered) - 1) // 2]  # the lower median for an even count
    if stem != out_stem:
        for suffix in (".report.json", ".report.html"):
            shutil.copyfile(stem.with_name(stem.name + suffix), out_stem.with_name(out_stem.name + suffix))
        for _, _, other in kept:
            for suffix in (".report.json", ".report.html"):
                other.with_name(other.name + suffix).unlink(missing_ok=True)
    return report, [item[0] if item[0] >= 0 else None for item in kept]


def category_scores(report: dict) -> dict[str, int | None]:
    """Return each category's score as 0-100 (None when Lighthouse could not score it)."""
    scores = {}
    for name in CATEGORIES:
        score = report["categories"].get(name, {}).get("score")
        scores[name] = None if score is None else round(score * 100)
    return scores


def score_without_expected(report: dict, category: str) -> int | None:
    """Return the category's score recomputed with the expected-on-HTTP audits counted as passed."""
    total = weighted = 0.0
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"].get(ref["id"], {})
        if not ref.get("weight") or audit.get("scoreDisplayMode") in UNSCORED_MODES:
            continue
        score = 1.0 if ref["id"] in EXPECTED_ON_HTTP else (audit.get("score") or 0.0)
        total += ref["weight"]
        weighted += ref["weight"] * score
    return round(weighted / total * 100) if total else None


def shortfalls(report: dict) -> list[dict]:
    """Return every audit of the four categories that is not a full pass, once per audit: a score below 1,
    an error, or an unscored Trust-and-Safety check (HSTS, CSP, COOP, ...) that lists findings."""
    found: dict[str, dict] = {}
    for category in CATEGORIES:
        for ref in report["categories"].get(category, {}).get("auditRefs", []):
            audit = report["audits"].get(ref["id"])
            if audit is None or ref["id"] in found:
                continue
            mode = audit.get("scoreDisplayMode")
            score = audit.get("score")
            display = audit.get("displayValue", "") or (audit.get("errorMessage") or "")
            if ref.get("group") == TRUST_AND_SAFETY and mode == "informative":
                items = (audit.get("details") or {}).get("items") or []
                if not items:
                    continue
                score = None
                display = "; ".join(f"{item.get('severity', '?')}: {item.get('description', '')}" for item in items)
            elif mode in UNSCORED_MODES:
                continue
            elif mode != "error" and score is not None and score >= 1:
                continue
            found[ref["id"]] = {
                "id": ref["id"],
                "title": audit.get("title", ""),
                "category": category,
                "weight": ref.get("weight", 0),
                "score": score,
                "mode": mode,
                "display": display,
            }
    return list(found.values())


# --------------------------------------------------------------------------------------------------------
# The report


def fmt_score(value: int | None) -> str:
    if value is None:
        return "  -"
    return f"{value:3d}" + ("" if value == 100 else "*")


def merge_shortfalls(results: dict[str, dict]) -> list[dict]:
    """Return the short-falling audits of all pages, one entry per audit with `pages` {path: [score, display]},
    ordered: weighted audits first (heaviest first), then weight 0, the expected-on-HTTP ones last."""
    audits: dict[str, dict] = {}
    for path, result in results.items():
        for item in result["shortfalls"]:
            entry = audits.setdefault(item["id"], {**item, "pages": {}})
            entry["pages"][path] = [item["score"], item["display"]]
    for entry in audits.values():
        entry.pop("score"), entry.pop("display")
        entry["expected_on_plain_http_localhost"] = entry["id"] in EXPECTED_ON_HTTP
    return sorted(audits.values(), key=lambda a: (a["id"] in EXPECTED_ON_HTTP, not a["weight"],
                                                  CATEGORIES.index(a["category"]), -(a["weight"] or 0), a["id"]))


def print_report(results: dict[str, dict], errors: dict[str, str]) -> None:
    """Print the score table, the short-falling pages and the deduplicated list of failing audits."""
    print()
    print("Lighthouse 'mobile' (simulated throttling), scores 0-100; * = below 100")
    header = f"{'page':<22} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5}   note"
    print(header)
    print("-" * len(header))
    for path, result in results.items():
        s = result["scores"]
        cells = " ".join(f"{fmt_score(s[c]):>5}" for c in CATEGORIES)
        note = []
        if result["final_url"] != result["requested_url"]:
            note.append(f"redirected to {urlsplit(result['final_url']).path}")
        if result["bp_without_expected"] is not None and result["bp_without_expected"] != s["best-practices"]:
            note.append(f"bp {result['bp_without_expected']} without the {EXPECTED_NOTE} audits")
        print(f"{path:<22} {cells}   {'; '.join(note)}")
    for path, message in errors.items():
        print(f"{path:<22} {'not measured':>23}   {message}")

    print()
    short = {path: [CATEGORY_SHORT[c] for c in BAR if r["scores"][c] != 100] for path, r in results.items()}
    short = {path: cats for path, cats in short.items() if cats}
    if short:
        print("Pages that fall short of design/quality.md (performance, accessibility, best practices = 100):")
        for path, cats in short.items():
            print(f"  {path:<22} {', '.join(cats)}")
    elif results:
        print("Every measured page meets design/quality.md (performance, accessibility, best practices = 100).")
    if errors:
        print(f"NOT MEASURED: {', '.join(errors)}")
    seo_short = [path for path, r in results.items() if r["scores"]["seo"] != 100]
    if seo_short:
        print(f"SEO below 100 (reported, not in the bar): {', '.join(seo_short)}")

    audits = merge_shortfalls(results)
    print()
    if not audits:
        print("No audit falls short on any page.")
        return
    print("Audits that are not a full pass (score < 1, or an unscored security-header check with findings),")
    print("each once, with the pages and their scores ('info' = unscored):")
    for audit in audits:
        tag = f"  [{EXPECTED_NOTE}: {EXPECTED_ON_HTTP[audit['id']]}]" if audit["id"] in EXPECTED_ON_HTTP else ""
        weight = f"weight {audit['weight']}" if audit["weight"] else "weight 0, does not move the score"
        print(f"- {audit['id']} ({CATEGORY_SHORT[audit['category']]}, {weight}): {audit['title']}{tag}")
        for path, (score, display) in audit["pages"].items():
            shown = ("error" if audit["mode"] == "error" else "info") if score is None else f"{score:.2f}"
            print(f"      {path:<22} {shown:>5}  {display}")


def main(argv: list[str] | None = None) -> int:
    """Measure the pages and print the report; return 0, or 1 when a page could not be measured.

    Raises SystemExit(1) when nothing could be measured and SystemExit(130) on Ctrl-C or SIGTERM.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES), help="page paths (default: the seven pages)")
    parser.add_argument("--runs", type=int, default=1,
                        help="Lighthouse runs per page; the run with the median performance score is reported")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    interrupt_on_sigterm()  # the same clean-up as Ctrl-C

    results: dict[str, dict] = {}
    errors: dict[str, str] = {}
    tools: dict[str, str | None] = {"lighthouse": None, "chromium": None}
    workdir = Path(tempfile.mkdtemp(prefix="loket-lighthouse-", dir="/tmp"))
    server: GunicornServer | None = None
    try:
        with exit_on_failure("\nCould not measure: ", "\nInterrupted."):
            if not Path(CHROME_PATH).exists():
                raise BenchError(f"no Chromium at {CHROME_PATH} (set LOKET_CHROMIUM)")
            ensure_lighthouse()
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            lh_log = RESULTS_DIR / "lighthouse.log"
            lh_log.write_text("")
            env = portal_environment(workdir)
            print(f"Database {env['DATABASE_URL']} (flask db upgrade, flask seed --demo) ...", flush=True)
            prepare_database(env, ("--demo",))
            server = GunicornServer("portal", "wsgi:app", env, workdir, ("-w", "2"))
            server.start()
            print(f"Portal on {server.base_url} (gunicorn -w 2)", flush=True)
            for path in args.pages:
                url = server.base_url + path
                started = time.monotonic()
                print(f"Lighthouse {path} ...", end=" ", flush=True)
                try:
                    report, perf_runs = measure_page(url, RESULTS_DIR / slug(path), lh_log, args.runs)
                except BenchError as error:
                    print("failed")
                    errors[path] = str(error)
                    continue
                scores = category_scores(report)
                tools = {"lighthouse": report.get("lighthouseVersion"),
                         "chromium": report.get("environment", {}).get("hostUserAgent")}
                results[path] = {
                    "requested_url": report.get("requestedUrl", url),
                    "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl") or url,
                    "scores": scores,
                    "bp_without_expected": score_without_expected(report, "best-practices"),
                    "shortfalls": shortfalls(report),
                    "performance_of_each_run": perf_runs,
                    "report": str((RESULTS_DIR / (slug(path) + ".report.json")).relative_to(REPO)),
                }
                spread = f", perf of the runs {perf_runs}" if len(perf_runs) > 1 else ""
                print(" ".join(f"{CATEGORY_SHORT[c]} {scores[c]}" for c in CATEGORIES)
                      + f" ({time.monotonic() - started:.0f} s{spread})", flush=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    summary = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **tools,
        "settings": {"form_factor": "mobile", "throttling": "default (simulate)", "categories": list(CATEGORIES),
                     "chrome_flags": CHROME_FLAGS, "runs_per_page": args.runs},
        "expected_on_plain_http_localhost": EXPECTED_ON_HTTP,
        "pages": results,
        "audits_not_passed": merge_shortfalls(results),
        "errors": errors,
    }
    (RESULTS_DIR / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print_report(results, errors)
    print(f"\nReports: {RESULTS_DIR.relative_to(REPO)}/<page>.report.json (and .html), summary.json")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
