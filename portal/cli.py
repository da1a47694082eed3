"""Command-line tools: `flask seed`, `flask closure …`, `flask notice …`, `flask quota …`, `flask user …` and more."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .services import closures, seed
from .storage import StorageError
from .services.calendar import now, office_zone

closure_cli = AppGroup("closure", help="Close or open the office on a date (holidays come by themselves).")
notice_cli = AppGroup("notice", help="Notices shown under the banner on every page.")
drafts_cli = AppGroup("drafts", help="Unfinished applications.")
user_cli = AppGroup("user", help="Accounts of clerks, supervisors and village operators.")
scans_cli = AppGroup("scans", help="Uploaded scans of residents' documents.")
quota_cli = AppGroup("quota", help="Queue ticket quotas per day, purpose and window.")
backup_cli = AppGroup("backup", help="Back up and restore the database and the uploaded scans.")
sessions_cli = AppGroup("sessions", help="Sessions of browsers (signed-in staff, residents' unlocked applications).")
storage_cli = AppGroup("storage", help="Where scans and signed PDFs are kept (a folder or S3 object storage).")
notifications_cli = AppGroup("notifications", help="Messages to residents about their applications (the outbox).")


def _day(_ctx, _param, value: str | None) -> date | None:
    """Return the date written as YYYY-MM-DD; raises click.BadParameter otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use a date like 2026-12-31") from error


@click.command("seed")
@click.option("--demo", is_flag=True,
              help="Also add demo accounts and applications (for `make run`; never in production).")
@with_appcontext
def seed_command(demo: bool) -> None:
    """Add the regions of the configured regency and the service catalogue (safe to run again)."""
    report = seed.seed_all(current_app.config["REGION_CODE"])
    click.echo(f"Seeded {report.kecamatan} kecamatan, {report.desa} desa/kelurahan, "
               f"{report.services} services, {report.pickup_places} pickup places "
               f"(rows already present were kept).")
    if report.repaired:
        click.echo(f"Gave {report.repaired} service{'' if report.repaired == 1 else 's'} without any pickup place "
                   "their catalogue places back.")
    if demo:
        added = seed.seed_demo_users()
        click.echo(f"Added {added} demo accounts (password {seed.DEMO_PASSWORD!r}).")
        from .services import demo
        made = demo.seed_demo_applications(now())
        click.echo(f"Added {made} demo applications (RBG-0000-0001 to -0009 and the village batches' -0011 to -0017, "
                   f"PIN {demo.DEMO_PIN}).")


@closure_cli.command("add")
@click.argument("day", callback=_day)
@click.option("--reason", default="", help="Why, in Indonesian; shown to residents (required to close).")
@click.option("--activity", type=click.Choice(["submission", "pickup"]), default=None,
              help="Only this activity; both when left out.")
@click.option("--open", "opens", is_flag=True, help="Open the day instead (e.g. a cuti bersama day).")
@click.option("--window", "windows", multiple=True, metavar="HH:MM-HH:MM",
              help="With --open: the hours of that day (repeatable); default the weekday's hours.")
def closure_add(day: date, reason: str, activity: str | None, opens: bool, windows: tuple[str, ...]) -> None:
    """Close DAY with a reason, or open it with --open."""
    try:
        rule = closures.set_day_rule(day, opens, reason, activity, list(windows))
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    verb = "Opened" if rule.opens else "Closed"
    click.echo(f"{verb} {rule.day.isoformat()} ({rule.activity or 'all activities'}) #{rule.id}")


@closure_cli.command("list")
def closure_list() -> None:
    """List the office's closures and openings from today on."""
    today = now().astimezone(office_zone()).date()
    rules = closures.day_rules(today)
    if not rules:
        click.echo("No closures or openings from today on (national holidays apply by themselves).")
    for rule in rules:
        what = "open " + (", ".join(rule.windows) or "regular hours") if rule.opens else "closed"
        click.echo(f"#{rule.id}  {rule.day.isoformat()}  {rule.activity or 'all':10}  {what:28}  {rule.reason}")


@closure_cli.command("remove")
@click.argument("rule_id", type=int)
def closure_remove(rule_id: int) -> None:
    """Remove closure or opening RULE_ID (see `flask closure list`)."""
    if not closures.remove_day_rule(rule_id):
        raise click.UsageError(f"there is no closure #{rule_id}")
    click.echo(f"Removed #{rule_id}")


@notice_cli.command("add")
@click.argument("text")
@click.option("--until", "ends_on", callback=_day, help="Last day shown (YYYY-MM-DD); open-ended if left out.")
@click.option("--from", "starts_on", callback=_day, help="First day shown (YYYY-MM-DD); default today.")
@click.option("--service", "service_code", default=None, help="Show on this service only (e.g. KTP_BARU).")
@click.option("--english", "text_en", default=None, help="The same notice in English.")
def notice_add(text: str, ends_on: date | None, starts_on: date | None, service_code: str | None,
               text_en: str | None) -> None:
    """Show TEXT under the banner (or on one service's page)."""
    starts_on = starts_on or now().astimezone(office_zone()).date()
    try:
        notice = closures.add_notice(text, starts_on, ends_on, service_code, text_en)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"Added notice #{notice.id}")


@notice_cli.command("list")
def notice_list() -> None:
    """List the notices running today or later."""
    today = now().astimezone(office_zone()).date()
    notices = closures.notices_from(today)
    if not notices:
        click.echo("No notices.")
    for notice in notices:
        until = notice.ends_on.isoformat() if notice.ends_on else "open-ended"
        click.echo(f"#{notice.id}  {notice.starts_on.isoformat()} → {until:10}  "
                   f"{notice.service_code or 'all services':14}  {notice.text}")


@notice_cli.command("remove")
@click.argument("notice_id", type=int)
def notice_remove(notice_id: int) -> None:
    """Remove notice NOTICE_ID (see `flask notice list`)."""
    if not closures.remove_notice(notice_id):
        raise click.UsageError(f"there is no notice #{notice_id}")
    click.echo(f"Removed #{notice_id}")


@drafts_cli.command("purge")
def drafts_purge() -> None:
    """Delete drafts whose expiry has passed (LOKET_DRAFT_DAYS after their last change), with their files."""
    from .services import applications

    drafts, files = applications.purge_expired_drafts(now())
    click.echo(f"Deleted {drafts} expired drafts and {files} uploaded files.")


@sessions_cli.command("purge")
def sessions_purge() -> None:
    """Delete expired sessions: staff idle past LOKET_STAFF_IDLE_MINUTES, residents' unused for 31 days."""
    from .services import browser_sessions

    click.echo(f"Deleted {browser_sessions.purge()} expired sessions.")


@user_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name, as shown to colleagues.")
@click.option("--role", type=click.Choice(["operator", "clerk", "supervisor", "admin"]), required=True)
@click.option("--desa", "region_code", default=None, help="For an operator: the desa code, e.g. 33.17.01.2001.")
@click.password_option(help="At least 10 characters; asked for twice when left out.")
def user_create(username: str, full_name: str, role: str, region_code: str | None, password: str) -> None:
    """Create the account USERNAME."""
    from .services import accounts

    try:
        user = accounts.create_user(username, full_name, role, password, region_code)
    except accounts.AccountError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"Created {user.role} {user.username}" + (f" for {user.region_code}" if user.region_code else ""))


@user_cli.command("password")
@click.argument("username")
@click.password_option()
def user_password(username: str, password: str) -> None:
    """Set a new password for USERNAME (ends its sessions and lifts a lock)."""
    from .services import accounts

    user = accounts.find_user(username)
    if user is None:
        raise click.UsageError(f"there is no account {username!r}")
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"Password changed for {user.username}")


@user_cli.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
def user_disable(username: str, enable: bool) -> None:
    """Disable USERNAME (it cannot sign in; its sessions end), or enable it with --enable."""
    from .services import accounts

    user = accounts.find_user(username)
    if user is None:
        raise click.UsageError(f"there is no account {username!r}")
    accounts.set_active(user, enable)
    click.echo(f"{'Enabled' if enable else 'Disabled'} {user.username}")


@user_cli.command("list")
def user_list() -> None:
    """List the accounts."""
    from sqlalchemy import select

    from .extensions import db
    from .models import User

    for user in db.session.scalars(select(User).order_by(User.role, User.username)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username:20} {user.role:10} {state:8} {user.region_code or '':14} {user.full_name}")


@scans_cli.command("purge")
@click.option("--days", type=int, default=None, help="Override LOKET_SCAN_RETENTION_DAYS for this run.")
def scans_purge(days: int | None) -> None:
    """Delete the scans of applications that ended more than the retention period ago (records stay)."""
    from .services import applications

    retention = current_app.config["SCAN_RETENTION_DAYS"] if days is None else days
    touched, files = applications.purge_ended_scans(now(), retention)
    click.echo(f"Deleted {files} scans of {touched} applications that ended more than {retention} days ago.")
    _sweep(60)


@storage_cli.command("sweep")
@click.option("--minutes", type=click.IntRange(min=1), default=60, show_default=True,
              help="Leave files younger than this: they may belong to an upload still being saved.")
def storage_sweep(minutes: int) -> None:
    """Delete stored scans that no application refers to (left by a crash or a failed save), and receipts and
    tickets rendered more than a week ago (they are rendered again when asked). Safe in cron."""
    _sweep(minutes)


def _sweep(minutes: int) -> None:
    from datetime import datetime, timedelta, timezone

    from .pdf.cache import KEEP
    from .services import storage

    # The real time, not the office's clock: the storage dates its files in real time.
    swept = storage.sweep(datetime.now(timezone.utc), timedelta(minutes=minutes))
    if swept.skipped:
        click.echo("A backup is running: nothing deleted; the next sweep will.")
        return
    click.echo(f"Deleted {len(swept.deleted)} files no application refers to, {swept.partial} half-written, "
               f"{swept.rendered} receipts and tickets rendered more than {KEEP.days} days ago; "
               f"left {swept.kept_young} younger than {minutes} minutes.")


@storage_cli.command("check")
def storage_check() -> None:
    """List applications whose stored file is missing; exit 1 when there is any."""
    from .services import storage

    missing = storage.missing_files()
    for reference, name in missing:
        click.echo(f"{reference} {name} missing")
    click.echo(f"{len(missing)} files missing.")
    if missing:
        raise SystemExit(1)


@backup_cli.command("create")
@click.option("--to", "destination", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the archive; default instance/backups.")
def backup_create(destination: Path | None) -> None:
    """Write one archive with the database and every uploaded scan."""
    from .services import backup

    folder = destination or Path(current_app.instance_path) / "backups"
    try:
        archive = backup.create_backup(folder, now())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    except (OSError, StorageError) as error:
        raise click.ClickException(f"backup failed, nothing was written: {error}") from error
    click.echo(f"Backup written to {archive} ({archive.stat().st_size // 1024} KB)")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(archive: Path, yes: bool) -> None:
    """Replace the database and the uploads with those in ARCHIVE."""
    from .services import backup

    if not yes:
        click.confirm("This replaces every application, account and scan with the backup's. Continue?", abort=True)
    try:
        manifest = backup.restore_backup(archive)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the backup of {manifest['created_at']} ({len(manifest['uploads'])} scans)")


@quota_cli.command("show")
@click.argument("day", callback=_day, required=False)
def quota_show(day: date | None) -> None:
    """Show every window's quota and tickets taken on DAY (default today)."""
    from .services import queue, quotas

    day = day or queue.today(now())
    rows = quotas.quota_table(day)
    if not rows:
        click.echo(f"No queue windows on {day.isoformat()} (closed).")
    for purpose, window, quota, taken in rows:
        click.echo(f"{purpose.prefix}  {purpose.code:8} {window}  quota {quota:3}  taken {taken:3}")


@quota_cli.command("set")
@click.argument("day", callback=_day)
@click.argument("purpose")
@click.option("--counters", type=click.IntRange(min=0), default=None,
              help="Counters on duty that day; each window's quota follows from the minutes per visit.")
@click.option("--quota", type=click.IntRange(min=0), default=None, help="A fixed number of tickets per window.")
@click.option("--window", "window_start", default="", metavar="HH:MM",
              help="Only the window starting at HH:MM; every window of the day when left out.")
def quota_set(day: date, purpose: str, counters: int | None, quota: int | None, window_start: str) -> None:
    """Set the figures of PURPOSE (e.g. KTP, PICKUP) on DAY: counters on duty or a fixed quota."""
    from .services import quotas

    try:
        rule = quotas.set_quota(day, purpose.upper(), window_start=window_start, counters=counters, quota=quota)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    figure = f"{rule.counters} counters" if rule.counters is not None else f"quota {rule.quota}"
    click.echo(f"{rule.purpose_code} on {rule.day.isoformat()} {rule.window_start or 'every window'}: {figure}")


@quota_cli.command("clear")
@click.argument("day", callback=_day)
@click.argument("purpose", required=False)
def quota_clear(day: date, purpose: str | None) -> None:
    """Go back to the usual figures on DAY (for PURPOSE only, or all)."""
    from .services import quotas

    removed = quotas.clear_quota(day, purpose.upper() if purpose else None)
    click.echo(f"Removed {removed} quota rules of {day.isoformat()}.")


@notifications_cli.command("send")
def notifications_send() -> None:
    """Deliver the messages that are due, retrying failed ones later (run it from cron every minute)."""
    from .services import notifications

    try:
        report = notifications.send_due(now())
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    if current_app.config["PRACTICE"]:
        click.echo(f"Practice mode: nothing sent. {report.held} messages would have been sent now "
                   f"(listed on /latihan); {report.waiting} waiting in the outbox.")
        return
    click.echo(f"Sent {report.sent}, failed and retrying later {report.retrying}, gave up {report.gave_up}"
               + (f", left to another run {report.skipped}" if report.skipped else "")
               + f"; {report.waiting} waiting in the outbox.")


@click.command("doctor")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes per app server (default: WEB_CONCURRENCY, else 1).")
@with_appcontext
def doctor_command(workers: int | None) -> None:
    """Check this deployment's configuration and say in plain words what is wrong; exit 1 on any failure."""
    import os

    from .deployment import examine

    workers = workers or int(os.environ.get("WEB_CONCURRENCY", "1"))
    findings = examine(current_app._get_current_object(), workers)
    for finding in findings:
        click.echo(f"{finding.level.upper():5} {finding.what}" + (f"\n      {finding.advice}" if finding.advice else ""))
    failed = sum(finding.level == "fail" for finding in findings)
    click.echo(f"{failed} problems, {sum(finding.level == 'warn' for finding in findings)} warnings.")
    if failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the commands with `flask`."""
    app.cli.add_command(seed_command)
    app.cli.add_command(doctor_command)
    app.cli.add_command(backup_cli)
    app.cli.add_command(scans_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(drafts_cli)
    app.cli.add_command(closure_cli)
    app.cli.add_command(notice_cli)
    app.cli.add_command(quota_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(sessions_cli)
    app.cli.add_command(storage_cli)
