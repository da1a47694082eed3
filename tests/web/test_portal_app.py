"""The app class: Flask, with `ensure_sync` answers remembered per function."""

import functools

from portal import Portal


def test_ensure_sync_gives_flasks_answer_and_remembers_it(app):
    assert isinstance(app, Portal)

    def hook():
        return None

    assert app.ensure_sync(hook) is hook and app.ensure_sync(hook) is hook
    assert hook in app.__dict__["_sync_functions"]
    partial = functools.partial(hook)
    assert app.ensure_sync(partial) is partial


def test_ensure_sync_still_wraps_a_coroutine_function(app, monkeypatch):
    async def view():
        return "async"

    wrapped = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: wrapped.append(func) or (lambda *a, **k: "synced"))
    assert app.ensure_sync(view)() == "synced" and wrapped == [view]
    assert app.ensure_sync(view)() == "synced" and wrapped == [view]  # remembered: Flask was asked once
