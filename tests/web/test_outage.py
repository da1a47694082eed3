"""FAULTS: the database goes away while pages are served, and comes back. Requests meanwhile get a calm 503
with Retry-After (never a traceback or a generic 500) and write nothing half; afterwards the same app, not
restarted, serves again.

On PostgreSQL the restart is real to the app: its connections go through a TCP proxy that the test cuts
(every connection dropped, new ones refused) and restores. On SQLite, which has no server, the outage is a
writer that holds the database too long: another process's exclusive lock.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from contextlib import closing

import pytest
from sqlalchemy import event, func, make_url, select

from portal import create_app
from portal.extensions import db
from portal.models import Application
from tests.conftest import _test_config
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.staff_helpers import create_staff, sign_in


class Proxy:
    """Forward 127.0.0.1:`port` to `target`, until `cut()`; `restore()` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.open: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        """Drop every connection and stop listening, as a database server that restarts."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(); close alone does not
        except OSError:
            pass
        self.listener.close()
        for each in self.open:
            try:
                each.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            each.close()
        self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for each in (source, sink):
                try:
                    each.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _calm_503(response) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert "Sistem sedang dipulihkan" in html and "Tidak ada yang hilang" in html and "Traceback" not in html
    return html


def test_a_postgresql_restart_answers_503_then_the_app_recovers_by_itself(app, regions, database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database server restart needs PostgreSQL; SQLite is covered by the lock test below")
    create_staff(app)
    proxy = Proxy((url.host, url.port or 5432))
    config = _test_config(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    served = create_app(config)
    clerk = served.test_client()
    sign_in(clerk, "clerk")
    assert clerk.get("/petugas").status_code == 200
    resident, path = served.test_client(), "/ajukan/ktp_hilang/nik"
    token = csrf(resident, path)

    proxy.cut()
    _calm_503(clerk.get("/petugas"))
    html = _calm_503(resident.post(path, data={"csrf_token": token, "nik": GOOD_NIK, "next": "1"}))
    assert f'href="{path}"' in html  # "Coba lagi" shows the same step again
    assert resident.get("/api/status").status_code in (200, 503)  # cached or a JSON 503, never a 500

    proxy.restore()
    assert clerk.get("/petugas").status_code == 200  # the same app: its pool reconnected by itself
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 0  # nothing half-written
    assert resident.post(path, data={"csrf_token": token, "nik": GOOD_NIK, "next": "1"}).status_code == 303
    with served.app_context():
        db.engine.dispose()


def test_a_sqlite_database_held_by_another_writer_answers_503_then_the_app_recovers(app, client, regions,
                                                                                    database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("the SQLite case; PostgreSQL's restart is tested above")
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def short_wait(connection, _record):  # the app waits 5 s for a lock; the test need not
            connection.execute("PRAGMA busy_timeout=200")
        db.engine.dispose()
    path = "/ajukan/ktp_hilang/nik"
    token = csrf(client, path)
    with closing(sqlite3.connect(url.database, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # e.g. a stuck maintenance job
        html = _calm_503(client.post(path, data={"csrf_token": token, "nik": GOOD_NIK, "next": "1"}))
        assert f'href="{path}"' in html  # "Coba lagi" shows the same step again
        other.execute("ROLLBACK")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 0  # nothing half-written
    again = client.post(path, data={"csrf_token": token, "nik": GOOD_NIK, "next": "1"})
    assert again.status_code == 303
