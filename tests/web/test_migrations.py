"""Schema changes go through migrations: the migrated schema matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _old_database(tmp_path, revision: str):
    """Return (app, a sqlite3 connection) on a new SQLite database migrated up to `revision`."""
    import sqlite3

    from flask_migrate import upgrade

    from portal import create_app
    from tests.conftest import _test_config

    path = tmp_path / "old.db"
    app = create_app(_test_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()
    return app, sqlite3.connect(path)


def _upgraded(app, connection, read):
    """Close `connection` (its writes committed), upgrade `app`'s database to the newest revision; return what
    `read(new connection)` returns from the upgraded database."""
    import sqlite3

    from flask_migrate import upgrade

    connection.commit()
    connection.close()
    with app.app_context():
        path = db.engine.url.database
        upgrade()
        db.engine.dispose()
    connection = sqlite3.connect(path)
    try:
        return read(connection)
    finally:
        connection.close()


def _insert(connection, table: str, values: dict) -> None:
    """Insert a row with `values` and a placeholder in every other NOT NULL column (SQLite)."""
    row = dict(values)
    for _cid, name, kind, not_null, _default, _pk in connection.execute(f"PRAGMA table_info({table})"):
        if not_null and name not in row:
            kind = kind.upper()
            row[name] = (0 if "INT" in kind or "BOOL" in kind else "[]" if "JSON" in kind
                         else "2026-12-01 00:00:00" if "DATE" in kind else "x")
    names = ", ".join(f'"{name}"' for name in row)
    connection.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def test_upgrading_a_sqlite_database_keeps_the_rows_of_tables_it_rebuilds(tmp_path):
    """SQLite rebuilds a table to alter it (batch mode). With foreign keys on, dropping the old copy used to
    cascade: 0007 emptied applications' documents and events, 0009 every service's pickup places."""
    app, connection = _old_database(tmp_path, "0006_inbox_indexes")
    _insert(connection, "pickup_place", {"code": "DINAS", "name": "Dinas"})
    _insert(connection, "service", {"code": "KTP_BARU", "group": "KTP"})
    connection.execute("INSERT INTO service_pickup_place VALUES ('KTP_BARU', 'DINAS')")
    _insert(connection, "application", {"id": 1, "reference": "RBG-0000-0001", "service_code": "KTP_BARU",
                                        "verification_token": "t", "pin_hash": "h"})
    _insert(connection, "application_document", {"application_id": 1, "stored_name": "a.jpg"})
    _insert(connection, "application_event", {"application_id": 1})
    tables = ("service_pickup_place", "application", "application_document", "application_event")

    def counts(reading):
        return {table: reading.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}

    before = counts(connection)
    after = _upgraded(app, connection, counts)
    assert before == {table: 1 for table in tables}
    assert after == before


def test_upgrading_gives_existing_services_a_letter_of_authority_rule_from_what_they_hand_over(tmp_path):
    """0013: a card on a security blank (KTP-el, KIA) asks a representative for a letter; a self-printed
    document does not; services are kept as the office edited them otherwise."""
    app, connection = _old_database(tmp_path, "0011_browser_sessions")
    for code, output in (("KTP_BARU", "security_blank"), ("KK_BARU", "self_print")):
        _insert(connection, "service", {"code": code, "output": output, "name_id": f"Layanan {code}"})
    rows = _upgraded(app, connection, lambda reading: dict(reading.execute("SELECT code, proxy_letter FROM service")))
    assert rows == {"KTP_BARU": 1, "KK_BARU": 0}


def test_upgrading_counts_the_duplicates_sent_before_the_count_existed(tmp_path):
    """0014 fills `duplicates_when_sent` from the history: the applications of the same NIK and service sent
    before each one and not ended at that instant, so the report counts the duplicates sent before it."""
    app, connection = _old_database(tmp_path, "0013_proxy_letter")
    _insert(connection, "service", {"code": "KTP_HILANG", "group": "KTP"})
    rows = [  # id, NIK, state, sent at (every application here was sent; one draft never was)
        (1, "A", "cancelled", "2026-12-01 01:00:00"),  # cancelled at 02:30
        (2, "A", "submitted", "2026-12-01 02:00:00"),  # 1 open then: the first
        (3, "A", "submitted", "2026-12-01 03:00:00"),  # 1 open then: the second (the first had ended)
        (4, "B", "submitted", "2026-12-01 04:00:00"),  # another NIK: alone
        (5, "A", "draft", None),
    ]
    for application_id, nik, state, sent in rows:
        _insert(connection, "application", {
            "id": application_id, "reference": f"R{application_id}", "verification_token": f"t{application_id}",
            "pin_hash": "h", "service_code": "KTP_HILANG", "state": state, "nik": nik, "submitted_at": sent})
    _insert(connection, "application_event", {"application_id": 1, "at": "2026-12-01 02:30:00",
                                              "from_state": "submitted", "to_state": "cancelled"})
    counts = _upgraded(app, connection,
                       lambda reading: dict(reading.execute("SELECT id, duplicates_when_sent FROM application")))
    assert counts == {1: 0, 2: 1, 3: 1, 4: 0, 5: 0}
