"""Guess budgets shared by every page that checks the same secret.

- A reference's PIN: `pin_guesses` counts each post that checks a PIN, whichever page it comes from —
  `/lacak`, the kiosk's `/kios/status`, cancelling at `/lacak/<ref>/batal` — so spreading guesses over pages
  gains nothing. Two budgets: one per reference and client (TRACK_REFERENCE_LIMIT), so that a stranger who
  has the reference from a shared link and spends their budget does not spend the owner's; and one per
  reference from all clients together (TRACK_REFERENCE_TOTAL_LIMIT), which caps an attacker with many
  addresses. The attacker's best rate is that total: at 100 a day, 5,000 days on average for a 6-digit PIN.
- A username's password: `sign_in_attempt` keeps one budget of wrong passwords per
  typed username and client (SIGN_IN_ACCOUNT_LIMIT). A stranger who spends it waits; the account's owner,
  on another client, does not. Unknown usernames have budgets too, so the answer never says which exist.
- Queue ticket codes: `ticket_lookups` counts each look at a ticket by its code — finding it, its page, its
  cancel page and its PDF — against one per-client budget (QUEUE_LOOKUP_LIMIT).
- The applicant's NIK at the handover: `handover_nik_attempt` counts each check of a collector's NIK (or its
  last four digits) against one application's, from every clerk and counter together (HANDOVER_NIK_LIMIT),
  so that nobody can try the 10,000 endings one after another; once spent, the document is handed to the
  applicant only when the budget is back (or to a person they authorised, with their letter).

The PIN budgets are Flask-Limiter's shared limits: a shared limit's counter is named by its scope, not by the
view. The others are counted in Flask-Limiter's store directly (`limiter.limiter`, the `limits` library's rate
limiter), with keys led by RATELIMIT_KEY_PREFIX (`budget_key`): each must count before its check (sign-in,
handover) or must cost less than the cached page it guards (ticket lookups).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache, wraps

from flask import current_app, request
from limits import parse, parse_many

from .domain.reference import normalize_reference
from .extensions import budget_key, limiter


def reference_key(typed: str) -> str:
    """Return the budget key of the reference `typed` ("rbg 7k3m q9px" and "RBG-7K3M-Q9PX" share one)."""
    normalized = normalize_reference(typed or "", current_app.config["REFERENCE_PREFIX"])
    return "ref:" + (normalized or (typed or "").strip().upper()[:32])


def pin_guesses(key_func: Callable[[], str], on_breach: Callable, exempt_when: Callable[[], bool] | None = None):
    """Return the decorator that counts a view's posts against the PIN budgets of the reference `key_func()`
    names (built with `reference_key`) — this client's and everyone's — answering with `on_breach(limit)` once
    either is spent."""
    per_client = limiter.shared_limit(
        lambda: current_app.config["TRACK_REFERENCE_LIMIT"], scope="pin-guesses", methods=["POST"],
        key_func=lambda: f"{key_func()}@{request.remote_addr or ''}", exempt_when=exempt_when, on_breach=on_breach)
    total = limiter.shared_limit(
        lambda: current_app.config["TRACK_REFERENCE_TOTAL_LIMIT"], scope="pin-guesses-total", methods=["POST"],
        key_func=key_func, exempt_when=exempt_when, on_breach=on_breach)

    def decorator(view: Callable) -> Callable:
        return per_client(total(view))

    return decorator


@dataclass(frozen=True)
class Spent:
    """A spent budget, as a breach handler reads it: `reset_at`, when (a UNIX time) it allows again — the
    attribute Flask-Limiter's `RequestLimit` has, so one handler serves both."""

    reset_at: float


@lru_cache(maxsize=8)
def _limits(text: str) -> tuple:
    """Return the limit items of a budget setting such as "20 per minute;100 per hour" (parsed once)."""
    return tuple(parse_many(text))


def ticket_lookup_refused() -> Spent | None:
    """Count one look at a queue ticket by its code from this client (its address), against every limit of
    QUEUE_LOOKUP_LIMIT in turn; return None when allowed, else the first spent limit (the look must not be
    answered). A refused look is not counted against the limits after the spent one."""
    identifiers = budget_key("ticket-lookups", request.remote_addr or "")
    for item in _limits(current_app.config["QUEUE_LOOKUP_LIMIT"]):
        if not limiter.limiter.hit(item, *identifiers):
            return Spent(limiter.limiter.get_window_stats(item, *identifiers).reset_time)
    return None


def ticket_lookups(on_breach: Callable[[Spent], object]) -> Callable:
    """Return the decorator that counts each of a view's requests against this client's
    budget of queue-ticket lookups (`ticket_lookup_refused`), answering with `on_breach(spent)` once it is spent.

    It counts in the rate-limit store directly, as the sign-in and handover budgets do: the ticket page is
    served from the page cache, and Flask-Limiter's decorator (its per-request context and exemption checks)
    cost more than the page itself (bench/run.py).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            spent = ticket_lookup_refused()
            if spent is not None:
                return on_breach(spent)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _sign_in_budget(username: str) -> tuple:
    """Return the limit item and the identifiers of the budget of `username` typed from this client."""
    item = parse(current_app.config["SIGN_IN_ACCOUNT_LIMIT"])
    return item, budget_key("sign-in-failures", username.strip().lower()[:60], request.remote_addr or "")


def sign_in_attempt(username: str) -> datetime | None:
    """Count an attempt at `username`'s password from this client before it is checked; return None when the
    budget allowed it, else until when (UTC) this client must wait, and the attempt must not be checked.

    Counting first, in one atomic step of the rate-limit store, is what keeps the budget exact when many
    attempts arrive at once on several workers; a right password then clears it (`forget_sign_in_failures`).
    """
    item, identifiers = _sign_in_budget(username)
    if limiter.limiter.hit(item, *identifiers):
        return None
    reset_at = limiter.limiter.get_window_stats(item, *identifiers).reset_time
    return datetime.fromtimestamp(reset_at, timezone.utc)


def forget_sign_in_failures(username: str) -> None:
    """Clear this client's wrong passwords for `username` (after a right one)."""
    item, identifiers = _sign_in_budget(username)
    limiter.limiter.clear(item, *identifiers)


def handover_nik_attempt(reference: str) -> bool:
    """Count one check of a collector's NIK against application `reference`, before it is made; return True
    when the budget allowed it, False when it is spent (and the NIK must not be checked)."""
    identifiers = budget_key("handover-nik", reference)
    allowed = [limiter.limiter.hit(item, *identifiers) for item in parse_many(current_app.config["HANDOVER_NIK_LIMIT"])]
    return all(allowed)
