"""Seed N applications fast, with a realistic spread, for the inbox benchmark.

Run from the repository root on a database that is migrated and seeded (`flask db upgrade && flask seed`),
or pass --prepare to do that first:

    .venv/bin/python bench/seed_applications.py --count 1000000 --database-url URL [--per-day 650] [--prepare]

What it writes (the `application` table only: the inbox reads no documents or events):
  * arrivals: `--per-day` applications a day (the office received 600-700 a day over WhatsApp), so N spreads
    over N / per-day days ending now; more of them in office hours, some at night and on weekends;
  * states by age, as an office that keeps up would have them: the last two days mostly waiting
    (submitted) or in review, the last week approved or ready, older ones collected, rejected or cancelled,
    with a few documents never collected and corrections never sent (they pile up with the years), and a
    few drafts (never submitted, some given up);
  * services weighted as the office sees them (KTP-el, KK, birth certificates and KIA first), desa uniform
    over the regency's 294, Indonesian names, NIKs of the right shape, clerks holding what is in review.
It also makes the accounts `bench.petugas1`..`8` (clerks) and `bench.kabid` (supervisor), password
BENCH_PASSWORD, unless they exist.

SQLite gets SQLAlchemy Core executemany in chunks (one transaction, a big page cache); PostgreSQL gets COPY.
Indexes stay in place (what a live database pays). PostgreSQL is then vacuumed and analyzed, as autovacuum
would do after such a load (index-only scans need the visibility map); SQLite is analyzed only with
--analyze, since a fresh SQLite deployment has no statistics. It prints rows per second.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, so that `bench`/`portal` import

BENCH_PASSWORD = "bench-loket-2026"
CLERKS = tuple(f"bench.petugas{number}" for number in range(1, 9))
SUPERVISOR = "bench.kabid"
CHUNK = 20_000
WIB = ZoneInfo("Asia/Jakarta")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

SERVICE_WEIGHTS = {
    "KTP_BARU": 18, "KTP_HILANG": 5, "KTP_RUSAK": 4, "KTP_PERUBAHAN": 6, "KK_BARU": 8, "KK_TAMBAH_ANGGOTA": 10,
    "KK_PISAH": 3, "KK_HILANG_RUSAK": 4, "KIA": 10, "AKTA_LAHIR": 14, "AKTA_MATI": 5, "AKTA_KAWIN": 1,
    "AKTA_CERAI": 0.5, "PINDAH_KELUAR": 5, "PINDAH_DATANG": 4.5,
}
# (age in days below which, {state: weight}); the last band has no bound.
STATE_BANDS = (
    (2, {"submitted": 88, "in_review": 4, "needs_correction": 5, "cancelled": 3}),
    (7, {"submitted": 13, "in_review": 1, "needs_correction": 12, "approved": 34, "ready": 30, "rejected": 5,
         "cancelled": 5}),
    (30, {"needs_correction": 4, "approved": 4, "ready": 22, "collected": 62, "rejected": 5, "cancelled": 3}),
    (None, {"collected": 92.1, "rejected": 5, "cancelled": 2, "ready": 0.6, "needs_correction": 0.3}),
)
DRAFT_SHARE, GIVEN_UP_SHARE = 0.005, 0.003  # never submitted: still a draft, or cancelled as a draft
CHANNELS = (("resident", 75), ("village", 20), ("counter", 5))
FIRST_NAMES = ("Siti", "Sri", "Dwi", "Tri", "Eko", "Agus", "Budi", "Slamet", "Joko", "Sutrisno", "Wahyu", "Dewi",
               "Rina", "Nur", "Ahmad", "Muhammad", "Ani", "Endang", "Suparmi", "Sumarni", "Puji", "Yuli", "Rudi",
               "Hadi", "Bambang", "Teguh", "Sugeng", "Lestari", "Indah", "Fitri", "Putri", "Rizki", "Dian", "Rahmat",
               "Kartini", "Wulan", "Ayu", "Heru", "Didik", "Sukarno", "Mulyono", "Sarmi", "Tutik", "Yanto",
               "Purwanto", "Suyatno", "Warsini", "Kasmini", "Hartono", "Nanik")
LAST_NAMES = ("", "", "", "Wulandari", "Rahayu", "Setiawan", "Prasetyo", "Santoso", "Hidayat", "Saputra",
              "Susanti", "Kurniawan", "Lestari", "Purnomo", "Wibowo", "Hartanto", "Nugroho", "Handayani",
              "Utami", "Maulana", "Fauzi", "Safitri", "Pratama", "Haryanto", "Suryani", "Sulistyo", "Widodo",
              "Rohmah", "Mustofa", "Ningsih", "Anggraini", "Permatasari", "Kusuma", "Ramadhan")
STREETS = ("Jl. Pemuda", "Jl. Diponegoro", "Jl. Kartini", "Jl. Gatot Subroto", "Jl. Raya Lasem", "Dusun Krajan",
           "Dusun Ngemplak", "Jl. Sunan Bonang", "Jl. Sultan Agung", "Dusun Sidomulyo")
COLUMNS = ("reference", "pin_hash", "verification_token", "service_code", "state", "channel", "nik", "full_name",
           "birth_date", "phone", "region_code", "address_line", "answers", "accepted_warnings",
           "skipped_documents", "version", "created_at", "updated_at", "submitted_at", "expires_at", "assigned_to",
           "assigned_at", "pickup_place_code", "pickup_date", "pickup_window", "output_stored_name")


class Catalogue:
    """What the rows point at: services (and which are self-printed), desa, pickup places, clerks."""

    def __init__(self, services: dict[str, str], desa: list[str], places: list[str], clerks: list[int]):
        self.services, self.desa, self.places, self.clerks = services, desa, places, clerks


def _reference_body(number: int) -> str:
    """Return 8 Crockford symbols for `number`, scrambled by a bijection of 0..2^40-1 (unique, spread out)."""
    scrambled = (number * 0x9E3779B97 + 0x5DEECE66D) % (1 << 40)
    return "".join(ALPHABET[(scrambled >> shift) & 31] for shift in range(35, -1, -5))


class Picker:
    """Draws from weighted choices fast (one random number and a bisection), with the run's generator."""

    def __init__(self, weights: dict, rng: random.Random):
        self.values = list(weights)
        self.bounds = list(itertools.accumulate(weights.values()))
        self.total, self.rng = self.bounds[-1], rng

    def __call__(self):
        return self.values[bisect.bisect_right(self.bounds, self.rng.random() * self.total)]


def _day_starts(end: datetime, days: int) -> list[float]:
    """Return the POSIX time of WIB midnight for each of the `days` days up to `end`'s, newest first."""
    today = end.astimezone(WIB).date()
    return [datetime.combine(today - timedelta(days=back), datetime.min.time(), WIB).timestamp()
            for back in range(days)]


def rows(count: int, catalogue: Catalogue, per_day: int, end: datetime, prefix: str, seed: int):
    """Yield `count` rows of COLUMNS as Python values (aware UTC datetimes, dates, None), newest first."""
    rng = random.Random(seed)
    service = Picker({code: SERVICE_WEIGHTS.get(code, 1) for code in catalogue.services}, rng)
    channel = Picker(dict(CHANNELS), rng)
    hours = Picker({(8, 6): 70, (14, 8): 22, (0, 24): 8}, rng)  # (from, span): office hours, evening, any time
    bands = [(bound, Picker(weights, rng)) for bound, weights in STATE_BANDS]
    day_starts = _day_starts(end, count // per_day + 1)
    end_ts = end.timestamp()
    pin_hash = "scrypt:32768:8:1$benchbenchbench0$" + "0" * 128  # a real hash's shape; no PIN opens it
    birth_base = date(1940, 1, 1).toordinal()
    utc, instant = timezone.utc, datetime.fromtimestamp
    for number in range(count):
        first_hour, span = hours()
        submitted_ts = day_starts[number // per_day] + (first_hour + rng.random() * span) * 3600
        submitted_ts = min(submitted_ts, end_ts - rng.randrange(1, 600))
        age = (end_ts - submitted_ts) / 86400
        roll = rng.random()
        if roll < DRAFT_SHARE + GIVEN_UP_SHARE:
            state, submitted = ("draft" if roll < DRAFT_SHARE else "cancelled"), False
        else:
            state, submitted = next(pick for bound, pick in bands if bound is None or age < bound)(), True
        code = service()
        desa = catalogue.desa[rng.randrange(len(catalogue.desa))]
        birth = date.fromordinal(birth_base + rng.randrange(29000))
        nik = (f"{desa[:2]}{desa[3:5]}{desa[6:8]}{birth.day + 40 * (rng.random() < 0.52):02d}{birth.month:02d}"
               f"{birth.year % 100:02d}{rng.randrange(1, 10000):04d}")
        name = f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} {LAST_NAMES[rng.randrange(len(LAST_NAMES))]}".strip()
        created_ts = submitted_ts - rng.randrange(300, 5400)
        updated_ts = min(end_ts, submitted_ts + rng.random() * 86400 * min(age, 10))
        assigned_to = assigned_at = place = pickup_date = window = output = None
        if state == "in_review":
            assigned_to = catalogue.clerks[rng.randrange(len(catalogue.clerks))]
            assigned_at = instant(min(end_ts, submitted_ts + rng.uniform(0.2, 30) * 3600), utc)
        elif state in ("ready", "collected"):
            if catalogue.services[code] == "self_print":
                output = f"bench-{secrets.token_hex(12)}.pdf"
            else:
                place = catalogue.places[rng.randrange(len(catalogue.places))]
                pickup_date = instant(submitted_ts + rng.randrange(4, 9) * 86400, WIB).date()
                window = "08:00-14:00"
        body = _reference_body(number)
        created = instant(created_ts, utc)
        yield (f"{prefix}-{body[:4]}-{body[4:]}", pin_hash, secrets.token_urlsafe(24), code, state, channel(), nik,
               name, birth, f"+628{rng.randrange(10**9, 10**10)}", desa,
               f"{STREETS[rng.randrange(len(STREETS))]} {rng.randrange(1, 200)}, RT {rng.randrange(1, 12):02d}/"
               f"RW {rng.randrange(1, 8):02d}", "{}", "[]", "[]", 1, created, instant(updated_ts, utc),
               instant(submitted_ts, utc) if submitted else None,
               (created + timedelta(days=14)) if state == "draft" else None, assigned_to, assigned_at, place,
               pickup_date, window, output)


_INSTANTS = [COLUMNS.index(name) for name in ("created_at", "updated_at", "submitted_at", "expires_at", "assigned_at")]
_DAYS = [COLUMNS.index(name) for name in ("birth_date", "pickup_date")]


def _sqlite_row(row: tuple) -> tuple:
    """Return `row` as SQLAlchemy stores it on SQLite: instants as naive UTC text with microseconds, ISO dates."""
    row = list(row)
    for index in _INSTANTS:
        if row[index] is not None:
            row[index] = row[index].replace(tzinfo=None).isoformat(" ", "microseconds")
    for index in _DAYS:
        if row[index] is not None:
            row[index] = row[index].isoformat()
    return tuple(row)


def _insert_sqlite(connection, generated) -> None:
    connection.exec_driver_sql("PRAGMA cache_size=-400000")  # 400 MB: the random-key indexes stay in memory
    connection.exec_driver_sql("PRAGMA synchronous=OFF")
    sql = f"INSERT INTO application ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    chunk = []
    for done, row in enumerate(generated, 1):
        chunk.append(_sqlite_row(row))
        if len(chunk) == CHUNK:
            connection.exec_driver_sql(sql, chunk)
            chunk = []
        if done % 100_000 == 0:
            print(f"  {done:,} rows", flush=True)
    if chunk:
        connection.exec_driver_sql(sql, chunk)


def _insert_postgresql(connection, generated) -> None:
    raw = connection.connection.driver_connection  # psycopg 3
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY application ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for done, row in enumerate(generated, 1):
                copy.write_row(row)
                if done % 100_000 == 0:
                    print(f"  {done:,} rows", flush=True)


def _accounts() -> list[int]:
    """Return the ids of the bench clerks, creating them and the supervisor when missing."""
    from portal.extensions import db
    from portal.models import User
    from portal.services import accounts

    ids = []
    for username, role in [*((name, "clerk") for name in CLERKS), (SUPERVISOR, "supervisor")]:
        user = db.session.scalar(db.select(User).where(User.username == username))
        if user is None:
            title = "Kepala Bidang" if role == "supervisor" else f"Petugas {username[-1]}"
            user = accounts.create_user(username, f"{title} (bench)", role, BENCH_PASSWORD)
        if role == "clerk":
            ids.append(user.id)
    return ids


def _catalogue(clerks: list[int]) -> Catalogue:
    from portal.extensions import db
    from portal.models import PickupPlace, Region, Service

    services = dict(db.session.execute(db.select(Service.code, Service.output)).all())
    desa = list(db.session.scalars(db.select(Region.code).where(Region.kind.in_(("desa", "kelurahan")))
                                  .order_by(Region.code)))
    places = list(db.session.scalars(db.select(PickupPlace.code).order_by(PickupPlace.code)))
    if not services or not desa:
        raise SystemExit("The database has no services or desa: run `flask db upgrade && flask seed` first "
                         "(or pass --prepare).")
    return Catalogue(services, desa, places, clerks)


def seed(app, count: int, per_day: int = 650, seed_value: int = 7, end: datetime | None = None,
         analyze: bool = False) -> float:
    """Insert `count` applications into `app`'s database (accounts first), VACUUM ANALYZE it on PostgreSQL (and
    ANALYZE it on SQLite when `analyze`); return the seconds it took."""
    from portal.extensions import db

    end = end or datetime.now(timezone.utc)
    with app.app_context():
        catalogue = _catalogue(_accounts())
        engine = db.engine
        generated = rows(count, catalogue, per_day, end, app.config["REFERENCE_PREFIX"], seed_value)
        started = time.perf_counter()
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                _insert_postgresql(connection, generated)
            else:
                _insert_sqlite(connection, generated)
        if engine.dialect.name == "postgresql" or analyze:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE application" if engine.dialect.name == "postgresql"
                                           else "ANALYZE")
        _check_round_trip(db)
        return time.perf_counter() - started


def _check_round_trip(db) -> None:
    """Raise SystemExit when a seeded row does not read back as the portal wrote it (aware UTC instants)."""
    from portal.models import Application

    row = db.session.scalars(db.select(Application).where(Application.submitted_at.is_not(None))
                             .order_by(Application.id.desc()).limit(1)).first()
    if row is None or row.submitted_at.tzinfo is None or not row.reference:
        raise SystemExit("seeded rows do not read back as the portal expects")


def main() -> None:
    """Parse the command line, seed, print the rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True, help="how many applications to add")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the database (default: $DATABASE_URL)")
    parser.add_argument("--per-day", type=int, default=650, help="applications arriving per day (default 650)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--prepare", action="store_true", help="run `flask db upgrade` and `flask seed` first")
    parser.add_argument("--analyze", action="store_true",
                        help="ANALYZE SQLite afterwards (PostgreSQL is always vacuumed and analyzed)")
    options = parser.parse_args()
    if not options.database_url:
        parser.error("give --database-url (or set DATABASE_URL): the seeder never guesses which database to fill")
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))  # nothing is signed; do not touch instance/
    if options.prepare:
        from bench.common import portal_environment, prepare_database

        env = portal_environment(Path("."))
        env["DATABASE_URL"] = options.database_url
        prepare_database(env)
    from portal import create_app

    app = create_app()
    seconds = seed(app, options.count, options.per_day, options.seed, analyze=options.analyze)
    print(json.dumps({"rows": options.count, "seconds": round(seconds, 1),
                      "rows_per_second": round(options.count / seconds)}))


if __name__ == "__main__":
    main()
