"""Guess budgets shared by every page that checks the same secret.

- A reference's PIN: `pin_guesses` counts each post that checks a PIN against one budget per reference
  (TRACK_REFERENCE_LIMIT), whichever page it comes from — `/lacak`, the kiosk's `/kios/status`, cancelling
  at `/lacak/<ref>/batal` — so spreading guesses over pages gains nothing.
- Queue ticket codes: `ticket_lookups` counts each look at a ticket by its code — finding it, its page, its
  cancel page and its PDF — against one per-client budget (QUEUE_LOOKUP_LIMIT).

Flask-Limiter's shared limits do this: a shared limit's counter is named by its scope, not by the view.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from .domain.reference import normalize_reference
from .extensions import limiter


def reference_key(typed: str) -> str:
    """Return the budget key of the reference `typed` ("rbg 7k3m q9px" and "RBG-7K3M-Q9PX" share one)."""
    normalized = normalize_reference(typed or "", current_app.config["REFERENCE_PREFIX"])
    return "ref:" + (normalized or (typed or "").strip().upper()[:32])


def pin_guesses(key_func: Callable[[], str], on_breach: Callable, exempt_when: Callable[[], bool] | None = None):
    """Return the decorator that counts a view's posts against the PIN budget of the reference `key_func()`
    names (built with `reference_key`), answering with `on_breach(limit)` once it is spent."""
    return limiter.shared_limit(lambda: current_app.config["TRACK_REFERENCE_LIMIT"], scope="pin-guesses",
                                methods=["POST"], key_func=key_func, exempt_when=exempt_when, on_breach=on_breach)


def ticket_lookups(on_breach: Callable, methods: list[str] | None = None):
    """Return the decorator that counts a view's requests (of `methods`, default all) against this client's
    budget of queue-ticket lookups, answering with `on_breach(limit)` once it is spent."""
    return limiter.shared_limit(lambda: current_app.config["QUEUE_LOOKUP_LIMIT"], scope="ticket-lookups",
                                methods=methods, on_breach=on_breach)
