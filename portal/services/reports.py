"""The figures of the supervisor's reports, for one period of office days (read in the office's zone).

Counts by service, channel and region are grouped in SQL; counts by day fetch only the instants of the period
(at most `MAX_DAYS` days of submissions) and bucket them in Python, because truncating a timestamp to a local
date is written differently on SQLite and PostgreSQL. Every query here runs on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..domain import lifecycle
from ..domain import queue as queue_rules
from ..domain import reports as rules
from ..extensions import db
from ..models import Application, ApplicationEvent, QueueTicket, Region, Service
from . import calendar, queue

CHANNELS = ("resident", "village", "counter")


@dataclass(frozen=True)
class ApplicationFigures:
    """Applications submitted in a period: in total, per day, service, channel, kecamatan and desa."""

    total: int
    per_day: list[tuple[date, int]]
    per_service: list[tuple[Service, int]]
    per_channel: list[tuple[str, int]]
    per_kecamatan: list[tuple[str, int]]
    per_desa: list[tuple[str, str, int]]  # (kecamatan, desa, count)
    # Sent while the same NIK had another open application of the same service (with a reason): in all, per service.
    duplicates: int = 0
    duplicates_per_service: list[tuple[Service, int]] = ()


@dataclass(frozen=True)
class ReadyTimes:
    """Median seconds from submission to ready, of the applications made ready in a period."""

    overall: float | None
    count: int
    per_service: list[tuple[Service, float, int]]  # (service, median seconds, applications)


@dataclass(frozen=True)
class QueueDay:
    """One day's queue tickets by how they ended, and the day's quota against the tickets counted in it."""

    day: date
    issued: int
    served: int
    no_show: int
    cancelled: int
    counted: int
    quota: int


@dataclass(frozen=True)
class QuotaUse:
    """One day and purpose: its quota (every window summed) and the tickets counted against it."""

    day: date
    purpose: queue_rules.Purpose
    quota: int
    counted: int


def _submitted_in(period: rules.Period):
    """Return the condition "first submitted within `period`" (office days in the office's zone)."""
    start, until = period.bounds(calendar.office_zone())
    return (Application.submitted_at >= start) & (Application.submitted_at < until)


def application_figures(period: rules.Period) -> ApplicationFigures:
    """Return the applications first submitted in `period`, counted every way the report shows them."""
    within = _submitted_in(period)
    instants = db.session.scalars(select(Application.submitted_at).where(within)).all()
    per_day = rules.count_by_day(instants, calendar.office_zone(), period)
    by_service = dict(db.session.execute(
        select(Application.service_code, func.count()).where(within).group_by(Application.service_code)).all())
    services = db.session.scalars(select(Service).where(Service.code.in_(by_service))).all() if by_service else []
    per_service = sorted(((service, by_service[service.code]) for service in services),
                         key=lambda pair: (-pair[1], pair[0].position, pair[0].code))
    by_channel = dict(db.session.execute(
        select(Application.channel, func.count()).where(within).group_by(Application.channel)).all())
    per_channel = [(channel, by_channel.get(channel, 0)) for channel in CHANNELS]
    per_channel += sorted((channel, n) for channel, n in by_channel.items() if channel not in CHANNELS)
    per_kecamatan, per_desa = _by_region(within)
    by_service_duplicates = dict(db.session.execute(
        select(Application.service_code, func.count()).where(within, Application.duplicates_when_sent > 0)
        .group_by(Application.service_code)).all())
    duplicates = [(service, by_service_duplicates[service.code]) for service, _n in per_service
                  if by_service_duplicates.get(service.code)]
    return ApplicationFigures(len(instants), per_day, per_service, per_channel, per_kecamatan, per_desa,
                              sum(by_service_duplicates.values()), duplicates)


def _by_region(within) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
    """Return (per kecamatan, per desa) counts of the applications matching `within`, most first; an
    application without an address counts under "" (the page names it)."""
    rows = db.session.execute(
        select(Application.region_code, func.count()).where(within).group_by(Application.region_code)).all()
    codes = [code for code, _n in rows if code]
    desa = {region.code: region for region in db.session.scalars(select(Region).where(Region.code.in_(codes)))} \
        if codes else {}
    parents = {region.parent_code for region in desa.values() if region.parent_code}
    kecamatan = {region.code: region.name for region in db.session.scalars(
        select(Region).where(Region.code.in_(parents)))} if parents else {}
    per_desa: list[tuple[str, str, int]] = []
    totals: dict[str, int] = {}
    for code, number in rows:
        region = desa.get(code)
        district = kecamatan.get(region.parent_code, "") if region is not None else ""
        per_desa.append((district, region.name if region is not None else "", number))
        totals[district] = totals.get(district, 0) + number
    per_desa.sort(key=lambda row: (-row[2], row[0], row[1]))
    return sorted(totals.items(), key=lambda pair: (-pair[1], pair[0])), per_desa


def ready_times(period: rules.Period) -> ReadyTimes:
    """Return the median time from the first submission to ready of the applications made ready in `period`
    (their first ready event falls in it), overall and per service."""
    start, until = period.bounds(calendar.office_zone())
    first_ready = (select(ApplicationEvent.application_id)
                   .where(ApplicationEvent.to_state == lifecycle.READY)
                   .group_by(ApplicationEvent.application_id)
                   .having(func.min(ApplicationEvent.at) >= start, func.min(ApplicationEvent.at) < until))
    rows = db.session.execute(
        select(ApplicationEvent.application_id, ApplicationEvent.at, ApplicationEvent.to_state)
        .where(ApplicationEvent.application_id.in_(first_ready),
               ApplicationEvent.to_state.in_((lifecycle.SUBMITTED, lifecycle.READY)))).all()
    durations = rules.time_to_ready(((a, at, state) for a, at, state in rows), lifecycle.SUBMITTED, lifecycle.READY)
    if not durations:
        return ReadyTimes(None, 0, [])
    service_of = dict(db.session.execute(
        select(Application.id, Application.service_code).where(Application.id.in_(durations))).all())
    grouped: dict[str, list[float]] = {}
    for application_id, seconds in durations.items():
        grouped.setdefault(service_of[application_id], []).append(seconds)
    services = db.session.scalars(select(Service).where(Service.code.in_(grouped))).all()
    per_service = sorted(((service, rules.median(grouped[service.code]), len(grouped[service.code]))
                          for service in services), key=lambda row: (row[0].position, row[0].code))
    return ReadyTimes(rules.median(durations.values()), len(durations), per_service)


def quota_use(period: rules.Period) -> list[QuotaUse]:
    """Return, for every day of `period` and every purpose open that day, the day's quota (its windows summed,
    after the supervisor's rules) and the tickets counted against it (all but cancelled ones)."""
    days = period.days()
    counted = {(day, code): number for day, code, number in db.session.execute(
        select(QueueTicket.day, QueueTicket.purpose_code, func.count())
        .where(QueueTicket.day >= period.start, QueueTicket.day <= period.end,
               QueueTicket.state.not_in(queue.NOT_COUNTED))
        .group_by(QueueTicket.day, QueueTicket.purpose_code))}
    rows = []
    for purpose in queue.purposes():
        totals: dict[date, int] = {}
        for (day, _window), quota in queue.quotas(purpose, days).items():
            totals[day] = totals.get(day, 0) + quota
        for day in days:
            if day in totals or (day, purpose.code) in counted:
                rows.append(QuotaUse(day, purpose, totals.get(day, 0), counted.get((day, purpose.code), 0)))
    rows.sort(key=lambda row: row.day)
    return rows


def queue_days(period: rules.Period, use: list[QuotaUse] | None = None) -> list[QueueDay]:
    """Return every day of `period` with its tickets issued (every ticket of the day), served, no-shows and
    cancelled, and the day's quota of all purposes against the tickets counted in it (`use` from `quota_use`,
    read when not given)."""
    states: dict[date, dict[str, int]] = {}
    for day, state, number in db.session.execute(
            select(QueueTicket.day, QueueTicket.state, func.count())
            .where(QueueTicket.day >= period.start, QueueTicket.day <= period.end)
            .group_by(QueueTicket.day, QueueTicket.state)):
        states.setdefault(day, {})[state] = number
    quota: dict[date, int] = {}
    counted: dict[date, int] = {}
    for row in use if use is not None else quota_use(period):
        quota[row.day] = quota.get(row.day, 0) + row.quota
        counted[row.day] = counted.get(row.day, 0) + row.counted
    result = []
    for day in period.days():
        found = states.get(day, {})
        result.append(QueueDay(day, sum(found.values()), found.get(queue_rules.SERVED, 0),
                               found.get(queue_rules.NO_SHOW, 0), found.get(queue_rules.CANCELLED, 0),
                               counted.get(day, 0), quota.get(day, 0)))
    return result


USUAL_TIME_DAYS = 90  # the confirmation page's "usually ready in" looks this far back
USUAL_TIME_MINIMUM = 5  # and says nothing from fewer applications than this


@dataclass(frozen=True)
class UsualTime:
    """How long a service usually takes: the median from submission to ready, over `count` applications made
    ready in the last `days` days."""

    seconds: float
    count: int
    days: int


def usual_ready_time(service_code: str, today: date) -> UsualTime | None:
    """Return the service's usual time to ready from the reports' median over the last USUAL_TIME_DAYS days,
    or None while fewer than USUAL_TIME_MINIMUM of its applications were made ready in them."""
    period = rules.Period(today - timedelta(days=USUAL_TIME_DAYS - 1), today)
    found = next(((seconds, count) for service, seconds, count in ready_times(period).per_service
                  if service.code == service_code), None)
    if found is None or found[1] < USUAL_TIME_MINIMUM:
        return None
    return UsualTime(found[0], found[1], USUAL_TIME_DAYS)
