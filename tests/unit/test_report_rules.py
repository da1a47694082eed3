"""The reports' pure rules: the period, counting by office day, the median, time to ready, durations, CSV
cells, and the SVG bar charts (well-formed, named images without inline styles)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal.domain.dates import parse_day

from portal.domain import charts
from portal.domain import reports as rules

WIB = ZoneInfo("Asia/Jakarta")
SVG = "{http://www.w3.org/2000/svg}"


def wib(*parts):
    return datetime(*parts, tzinfo=WIB)


def test_period_days_and_bounds_in_the_office_zone():
    period = rules.make_period(date(2026, 12, 1), date(2026, 12, 3))
    assert period.length == 3 and period.days() == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    start, until = period.bounds(WIB)
    assert start == datetime(2026, 11, 30, 17, tzinfo=timezone.utc)
    assert until == datetime(2026, 12, 3, 17, tzinfo=timezone.utc)


def test_default_period_is_the_last_30_days_including_today():
    period = rules.default_period(date(2026, 12, 3))
    assert (period.start, period.end, period.length) == (date(2026, 11, 4), date(2026, 12, 3), 30)


@pytest.mark.parametrize("start, end, code", [
    (date(2026, 12, 3), date(2026, 12, 2), "order"),
    (date(2025, 12, 2), date(2026, 12, 3), "length"),
])
def test_refused_periods(start, end, code):
    with pytest.raises(rules.PeriodRefused) as refused:
        rules.make_period(start, end)
    assert refused.value.code == code


def test_a_period_of_max_days_is_allowed():
    assert rules.make_period(date(2025, 12, 3), date(2026, 12, 3)).length == rules.MAX_DAYS


@pytest.mark.parametrize("text, expected", [
    ("2026-12-03", date(2026, 12, 3)), ("3-12-2026", date(2026, 12, 3)), (" 3/12/2026 ", date(2026, 12, 3)),
    ("03.12.2026", date(2026, 12, 3)),
])
def test_parse_day(text, expected):
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["31-02-2026", "kemarin", "2026-13-01", "12/2026"])
def test_parse_day_refuses(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_count_by_day_uses_the_office_date_and_keeps_empty_days():
    period = rules.Period(date(2026, 12, 1), date(2026, 12, 3))
    instants = [wib(2026, 12, 2, 6, 30).astimezone(timezone.utc),  # 1 December in UTC
                wib(2026, 12, 2, 23, 59), wib(2026, 12, 1, 0, 0), wib(2026, 11, 30, 23, 59)]
    assert rules.count_by_day(instants, WIB, period) == [
        (date(2026, 12, 1), 1), (date(2026, 12, 2), 2), (date(2026, 12, 3), 0)]


@pytest.mark.parametrize("values, expected", [
    ([], None), ([5], 5.0), ([3, 1, 2], 2.0), ([4, 1, 3, 2], 2.5), ([10, 10, 1000], 10.0),
])
def test_median(values, expected):
    assert rules.median(values) == expected


def test_time_to_ready_from_the_first_submission_to_the_first_ready():
    events = [
        (1, wib(2026, 12, 1, 8), "submitted"), (1, wib(2026, 12, 1, 9), "in_review"),
        (1, wib(2026, 12, 1, 10), "needs_correction"), (1, wib(2026, 12, 2, 8), "submitted"),
        (1, wib(2026, 12, 2, 12), "ready"),
        (2, wib(2026, 12, 1, 8), "submitted"),  # not ready yet
        (3, wib(2026, 12, 3, 8), "ready"),  # no submission event: left out
        (4, wib(2026, 12, 3, 9), "ready"), (4, wib(2026, 12, 3, 8), "submitted"),  # any order
    ]
    assert rules.time_to_ready(events) == {1: 28 * 3600.0, 4: 3600.0}


@pytest.mark.parametrize("seconds, expected", [
    (0, (0, 0)), (1799, (0, 0)), (1800, (0, 1)), (15 * 3600, (0, 15)), (26 * 3600, (1, 2)),
    (70 * 3600 + 600, (2, 22)), (47.6 * 3600, (2, 0)),
])
def test_days_and_hours(seconds, expected):
    assert rules.days_and_hours(seconds) == expected


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+62812", "'+62812"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("Sumber", "Sumber"), ("", ""), (None, ""), (-3, "-3"), (12, "12"), (1.5, "1.5"),
])
def test_spreadsheet_cell(value, expected):
    assert rules.spreadsheet_cell(value) == expected


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


@pytest.mark.parametrize("draw", [charts.bar_chart, charts.column_chart])
def test_charts_are_well_formed_named_images(draw):
    markup = draw([("Sumber & <Sarang>", 3), ("Lasem", 0), ("Pamotan", 1.5)], "Permohonan \"per\" kecamatan",
                  "grafik-x")
    root = _parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "grafik-x-title"
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") == "grafik-x-title" and title.text == 'Permohonan "per" kecamatan'
    assert "style=" not in str(markup) and "<script" not in str(markup)
    bars = root.findall(f".//{SVG}rect")
    assert len(bars) == 3
    heights_or_widths = [float(bar.get("width" if draw is charts.bar_chart else "height")) for bar in bars]
    assert heights_or_widths[0] > heights_or_widths[2] > heights_or_widths[1] == 0
    tips = [element.text for element in root.iter(f"{SVG}title")][1:]
    assert tips == ["Sumber & <Sarang>: 3", "Lasem: 0", "Pamotan: 1.5"]


def test_bar_chart_labels_every_bar_and_shortens_only_labels_longer_than_three_lines():
    root = _parse(charts.bar_chart([("x" * 80, 7)], "Judul", "g"))
    lines = [element.text for element in root.iter(f"{SVG}tspan")]
    assert lines == ["x" * charts.LINE_CHARS] * 2 + ["x" * (charts.LINE_CHARS - 1) + "…"]
    assert [element.text for element in root.iter(f"{SVG}text")][-1] == "7"
    assert float(root.find(f".//{SVG}rect").get("width")) == charts.PLOT_WIDTH


@pytest.mark.parametrize("name", ["Akta Perkawinan (Non-Muslim)", "New electronic ID card (KTP-el), first recording"])
def test_a_long_service_name_is_wrapped_whole_inside_the_chart(name):
    root = _parse(charts.bar_chart([(name, 3), ("KIA", 1)], "Per layanan", "g"))
    label = next(root.iter(f"{SVG}text"))
    lines = [line.text for line in label.iter(f"{SVG}tspan")]
    assert " ".join(lines) == name and 2 <= len(lines) <= 3
    # Right-aligned just left of the bars: every line fits between the chart's left edge and the bars.
    assert all(len(line) * charts.CHAR <= charts.LABEL_WIDTH - 8 for line in lines)
    assert all(float(line.get("x")) == charts.LABEL_WIDTH - 8 for line in label.iter(f"{SVG}tspan"))


def test_bar_chart_figures_can_carry_their_unit_and_get_room_for_it():
    words = {15 * 3600: "15 jam", 70 * 3600: "2 hari 22 jam"}
    root = _parse(charts.bar_chart([("KK Baru", 15 * 3600), ("KTP-el Baru", 70 * 3600)], "Median", "g",
                                   value_text=words.get))
    figures = [element.text for element in root.iter(f"{SVG}text") if element.get("class") == "chart-value"]
    assert figures == ["15 jam", "2 hari 22 jam"]
    tips = [element.text for element in root.iter(f"{SVG}title")][1:]
    assert tips == ["KK Baru: 15 jam", "KTP-el Baru: 2 hari 22 jam"]
    width = float(root.get("viewBox").split()[2])
    assert charts.LABEL_WIDTH + charts.PLOT_WIDTH + 6 + len("2 hari 22 jam") * charts.CHAR <= width


def test_column_chart_names_the_first_and_last_day_and_the_peak():
    pairs = [(f"{day} Des", day % 4) for day in range(1, 32)]
    root = _parse(charts.column_chart(pairs, "Per hari", "g"))
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert texts == ["3", "1 Des", "31 Des"]
    assert len(root.findall(f".//{SVG}rect")) == 31


@pytest.mark.parametrize("draw", [charts.bar_chart, charts.column_chart])
def test_empty_charts_are_still_well_formed(draw):
    root = _parse(draw([], "Kosong", "g"))
    assert root.find(f"{SVG}title").text == "Kosong" and not root.findall(f".//{SVG}rect")


def test_an_all_zero_series_draws_flat_bars_and_names_zero_as_its_peak():
    root = _parse(charts.column_chart([("1 Des", 0), ("2 Des", 0)], "Nol", "g"))
    assert [float(bar.get("height")) for bar in root.findall(f".//{SVG}rect")] == [0, 0]
    assert [element.text for element in root.iter(f"{SVG}text")][0] == "0"


def test_a_year_of_days_fits_the_column_chart():
    start = date(2025, 12, 3)
    pairs = [((start + timedelta(days=n)).isoformat(), n % 7) for n in range(366)]
    root = _parse(charts.column_chart(pairs, "Setahun", "g"))
    assert len(root.findall(f".//{SVG}rect")) == 366
    assert all(float(bar.get("width")) > 0 for bar in root.findall(f".//{SVG}rect"))
