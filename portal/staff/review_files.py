"""The files behind the review page: each scan, the signed output PDF, the pickup receipt to print.

Every scan or output viewed and every receipt printed is written to the audit log before the file is sent.
Files are never cached, never sniffed, and sandboxed as the resident's own view of them is (no script runs, no
form posts, nothing loads from elsewhere); shown inline, or saved as a download with `?unduh=1`.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from ..auth.guard import roles_required
from ..domain import lifecycle
from ..services import calendar, review, storage
from .review import _application_or_404, _document_or_404
from .blueprint import STAFF_ROLES, bp
from ..downloads import pdf_response, private_file


@bp.get("/<reference>/dokumen/<int:document_id>")
@roles_required(*STAFF_ROLES)
def review_scan(reference: str, document_id: int):
    """Return one scan of the application inline, after writing the view to the audit log; 404 otherwise."""
    application = _application_or_404(reference)
    document = _document_or_404(application, document_id)
    body = storage.stored_bytes(document.stored_name)
    if body is None:
        abort(404)
    review.view_scan(application, document, current_user, calendar.now())
    extension = document.stored_name.rsplit(".", 1)[-1]
    return _private_file(body, document.mimetype, f"{application.reference}-{document.code.lower()}.{extension}")


@bp.get("/<reference>/tanda-terima.pdf")
@roles_required(*STAFF_ROLES)
def review_pickup_receipt(reference: str):
    """Return the pickup receipt of a ready application for the clerk to print (`?ukuran=a6|80`); 404 otherwise.

    The same PDF the resident downloads from tracking; each print goes to the audit log.
    """
    from ..pdf.pickup import SIZES, cached_pickup_receipt
    from ..services import audit

    application = _application_or_404(reference)
    size = request.args.get("ukuran", "a6")
    if application.state != lifecycle.READY or review.self_printed(application) or size not in SIZES:
        abort(404)
    body = cached_pickup_receipt(application, size)
    audit.record_print(current_user, calendar.now(), application, f"tanda terima pengambilan {size}")
    return pdf_response(body, f"tanda-terima-{application.reference}-{size}.pdf")


@bp.get("/<reference>/dokumen-jadi")
@roles_required(*STAFF_ROLES)
def review_output_file(reference: str):
    """Return the signed PDF of a self-printed document, after writing the view to the audit log; else 404."""
    application = _application_or_404(reference)
    if not application.output_stored_name:
        abort(404)
    body = storage.stored_bytes(application.output_stored_name)
    if body is None:
        abort(404)
    review.view_scan(application, None, current_user, calendar.now())
    return _private_file(body, "application/pdf", f"{application.reference}-dokumen.pdf")


def _private_file(body: bytes, mimetype: str, name: str):
    """Return a stored file shown in the browser, or as a download when the request asks `?unduh=1`."""
    return private_file(body, mimetype, name, attachment=request.args.get("unduh") == "1")
