"""The counter, `/petugas/loket`: a clerk calls the next ticket, recalls, marks no-shows and served."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("counter", __name__, url_prefix="/petugas/loket", template_folder="templates")
