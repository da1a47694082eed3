"""CONCURRENCY: four gunicorn workers share their rate limits through Redis, so a budget holds exactly however
the attempts are spread over the workers; and gunicorn refuses to start several workers that would each count
in their own memory.
"""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode

import pytest

from portal.services import accounts
from tests.web.staff_helpers import make_application
from tests.web.test_queue_concurrency import CSRF, REPO, VALUE, Gunicorn, server_environment

pytestmark = pytest.mark.concurrency

ATTEMPTS = 12  # at once, each from its own session on its own connection: more than one per worker


def _form(server: Gunicorn, path: str) -> tuple[str, str]:
    """Return (session cookie, CSRF token) of a fresh visit to the form at `path`."""
    status, headers, body = server.request("GET", path)
    assert status == 200, f"{path} answered {status}"
    cookie = "; ".join(value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or ())
    return cookie, VALUE.search(CSRF.search(body)[0])[1]


def _all_at_once(server: Gunicorn, path: str, fields: dict[str, str]) -> list[str]:
    """POST `fields` to `path` ATTEMPTS times at the same instant, each with its own session; return the pages."""
    visits = [_form(server, path) for _ in range(ATTEMPTS)]
    barrier, pages = threading.Barrier(ATTEMPTS), [""] * ATTEMPTS

    def post(index: int) -> None:
        cookie, token = visits[index]
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=60)
            connection.request("POST", path, urlencode({"csrf_token": token, **fields}),
                               {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            pages[index] = f"{response.status} " + response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return pages


def test_four_workers_keep_the_pin_budget_and_the_sign_in_limit_exactly(app, regions, staff, database_url,
                                                                        redis_url, tmp_path):
    reference, pin = make_application(app, "KK_BARU")
    wrong = "000000" if pin != "000000" else "111111"
    with app.app_context():
        accounts.create_user("budi", "Budi Santoso", "clerk", "kata-sandi-budi-1")
    env = server_environment(database_url, redis_url)
    env.update({"LOKET_TRACK_REFERENCE_LIMIT": "5 per 15 minutes", "LOKET_TRACK_LIMIT": "1000 per minute",
                "LOKET_SIGN_IN_ACCOUNT_LIMIT": "5 per 15 minutes", "LOKET_SIGN_IN_LIMIT": "1000 per minute"})
    with Gunicorn(env, tmp_path / "gunicorn.log") as server:
        tracked = _all_at_once(server, "/lacak", {"reference": reference, "pin": wrong})
        checked = [page for page in tracked if page.startswith("422 ")]
        refused = [page for page in tracked if page.startswith("429 ")]
        assert (len(checked), len(refused)) == (5, ATTEMPTS - 5), [page[:4] for page in tracked]

        signed = _all_at_once(server, "/masuk", {"username": "budi", "password": "salah-sekali-1"})
        wrong_password = [page for page in signed if "Nama pengguna atau kata sandi salah.</a>" in page]
        waiting = [page for page in signed if "terlalu sering dari perangkat ini" in page]
        assert (len(wrong_password), len(waiting)) == (5, ATTEMPTS - 5), [page[:4] for page in signed]


def test_gunicorn_refuses_several_workers_that_would_count_in_their_own_memory(monkeypatch, tmp_path):
    """gunicorn.conf.py's start hook stops gunicorn (a RuntimeError, which gunicorn prints as "Error: …" before
    it exits 1) when several workers would each count in their own memory; one worker, or Redis, is fine."""
    import importlib.util
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("loket_gunicorn_conf", REPO / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert (conf.workers, conf.threads, conf.worker_class) == (1, 4, "gthread")  # the embedded default

    monkeypatch.setenv("LOKET_INSTANCE_PATH", str(tmp_path))  # the hook makes the app: not in the checkout
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")

    def start(workers: int, store: str) -> None:
        monkeypatch.setenv("LOKET_RATELIMIT_STORAGE_URI", store)
        conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=workers)))

    with pytest.raises(RuntimeError, match="4 workers are configured, but rate limits") as refused:
        start(4, "memory://")
    assert "LOKET_RATELIMIT_STORAGE_URI=redis://" in str(refused.value)
    start(1, "memory://")
    start(4, "redis://127.0.0.1:6379/0")
