"""The village operator's area, `/desa/…`: applications on behalf of residents, batches, collective pickup.

Every page is for operators only and keeps to the operator's own desa: an application, batch or manifest
of another desa is answered with 404, exactly like one that does not exist. The pages live in one module per
part — `home` (the desa's applications), `filing` (filing on a resident's behalf), `batches` (berkas
kolektif) and `pickup` (collective pickup) — and use the lookups below so none can forget the desa. The
blueprint is in `blueprint.py`; importing the package registers every page.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..models import Application, Batch, PickupManifest
from ..services import applications, batches


def own_application_or_404(reference: str) -> Application:
    """Return the application with `reference` filed by an operator of this operator's desa; else 404."""
    application = applications.find(reference)
    if application is None or not batches.owned(current_user, application):
        abort(404)
    return application


def own_batch_or_404(batch_id: int) -> Batch:
    """Return this operator's desa's batch `batch_id`; else 404."""
    batch = batches.find(current_user, batch_id)
    if batch is None:
        abort(404)
    return batch


def own_manifest_or_404(manifest_id: int) -> PickupManifest:
    """Return this operator's desa's collective pickup manifest `manifest_id`; else 404."""
    manifest = db.session.get(PickupManifest, manifest_id)
    if manifest is None or manifest.region_code != current_user.region_code:
        abort(404)
    return manifest

