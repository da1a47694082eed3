"""`/healthz`, for a load balancer or a monitoring probe: 200 when this app server can serve, 503 when one
of its database, storage or rate-limit store does not answer, with what each check found. Never cached, no
cookie, nothing about residents."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Return the health report as JSON: 200 when every check is ok, else 503."""
    report = health.check()
    response = jsonify(status="ok" if report.ok else "failing", checks=report.checks)
    response.status_code = 200 if report.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
