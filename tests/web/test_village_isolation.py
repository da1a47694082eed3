"""Isolation of the village operator's area: every `/desa/…` route, found by walking the URL map, is tried

- without signing in (sent to `/masuk`),
- by a clerk (403),
- by the operator of another desa with this desa's application, batch and manifest (404, nothing changes),
- and, as a control, by the desa's own operator (neither 403 nor 404 for its own objects).

A new route with a URL argument this test does not know fails it, so whoever adds one extends the matrix.
"""

from __future__ import annotations

import re

import pytest

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, Batch, PickupManifest
from portal.services import batches, calendar
from tests.web.apply_helpers import csrf
from tests.web.staff_helpers import create_staff, make_application, sign_in

OWN, OTHER = "op.sumber", "op.sarang"  # Ronggo Mulyo (33.17.01.2001) and Lodan Kulon (33.17.05.2001)
NOT_OBJECTS = {"code"}  # URL arguments that name something public (a service), not something of a desa
NAMES = ("Siti Wulandari", "Dewi Lestari")  # the applicants of the desa's two applications


@pytest.fixture
def desa_objects(app, regions):
    """Create the Ronggo Mulyo operator's objects; return the URL values that point at them."""
    create_staff(app)
    ready, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by=OWN, name="Siti Wulandari")
    draft, _pin = make_application(app, "KK_BARU", state=lifecycle.DRAFT, filed_by=OWN, name="Dewi Lestari")
    with app.app_context():
        operator = _user(OWN)
        batch = batches.open_batch(operator, calendar.now())
        batches.add(batch, _application(draft), operator, calendar.now())
        manifest = PickupManifest(code="AMB-0000-0001", verification_token="isolation-manifest",
                                  region_code=operator.region_code, created_by=operator.id,
                                  created_by_name=operator.full_name, created_at=calendar.now())
        manifest.applications.append(_application(ready))
        db.session.add(manifest)
        db.session.commit()
        document = _application(draft).documents[0]
        return {"reference": ready, "draft": draft, "batch_id": batch.id, "manifest_id": manifest.id,
                "document_code": document.code, "document_id": document.id, "code": "KTP_BARU"}


def _user(username):
    from portal.models import User

    return db.session.scalar(db.select(User).where(User.username == username))


def _application(reference) -> Application:
    return db.session.scalar(db.select(Application).where(Application.reference == reference))


def _routes(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return (method, rule, argument names) of every operator route."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/desa"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule, tuple(sorted(rule.arguments))))
    return found


def _url(rule: str, values: dict, reference_key: str = "reference") -> str:
    """Return `rule` with its arguments filled from `values`; fail on an argument the matrix does not know."""
    def fill(match):
        name = match.group(1).split(":")[-1]
        key = reference_key if name == "reference" else name
        assert key in values, f"the isolation matrix does not know the URL argument {name!r} of {rule}: add it"
        return str(values[key])

    return re.sub(r"<([^>]+)>", fill, rule)


def _snapshot(app) -> tuple:
    """Return what an operator could change: applications' states and batches, batches, manifests."""
    with app.app_context():
        return (sorted(db.session.execute(db.select(Application.reference, Application.state, Application.batch_id,
                                                    Application.pin_hash)).all()),
                sorted(db.session.execute(db.select(Batch.id, Batch.state)).all()),
                db.session.scalar(db.select(db.func.count(PickupManifest.id))))


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    token = csrf(client, "/masuk") if client.get("/masuk").status_code == 200 else _any_token(client)
    return client.open(url, method=method, data={"csrf_token": token})


def _any_token(client) -> str:
    """Return a CSRF token of this session from a page every signed-in user can open."""
    html = client.get("/desa").get_data(as_text=True) if client.get("/desa").status_code == 200 else \
        client.get("/petugas").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_matrix_covers_the_operator_area(app):
    routes = {rule for _method, rule, _args in _routes(app)}
    for expected in ("/desa", "/desa/berkas", "/desa/berkas/<int:batch_id>", "/desa/ambil",
                     "/desa/permohonan/<reference>"):
        assert expected in routes


def test_without_signing_in_every_route_sends_to_sign_in(app, desa_objects):
    client = app.test_client()
    for method, rule, _args in _routes(app):
        response = _request(client, method, _url(rule, desa_objects))
        assert response.status_code == 303, (method, rule, response.status_code)
        assert response.headers["Location"].startswith("/masuk"), (method, rule)


def test_a_clerk_gets_403_everywhere(app, desa_objects):
    client = app.test_client()
    sign_in(client, "clerk")
    for method, rule, _args in _routes(app):
        assert _request(client, method, _url(rule, desa_objects)).status_code == 403, (method, rule)


@pytest.mark.parametrize("reference_key", ["reference", "draft"])
def test_another_desas_operator_gets_404_for_every_object_and_changes_nothing(app, desa_objects, reference_key):
    client = app.test_client()
    sign_in(client, OTHER)
    before = _snapshot(app)
    for method, rule, args in _routes(app):
        if not set(args) - NOT_OBJECTS:
            continue
        response = _request(client, method, _url(rule, desa_objects, reference_key))
        assert response.status_code == 404, (method, rule, response.status_code)
    assert _snapshot(app) == before


def test_another_desas_operator_never_sees_this_desas_applications(app, desa_objects):
    client = app.test_client()
    sign_in(client, OTHER)
    for method, rule, args in _routes(app):
        if method != "GET" or set(args) - NOT_OBJECTS:
            continue
        page = client.get(_url(rule, desa_objects)).get_data(as_text=True)
        for text in (desa_objects["reference"], desa_objects["draft"], *NAMES):
            assert text not in page, (rule, text)
    for typed in (desa_objects["reference"], "Siti", "Dewi", "3317014101900001"):
        search = client.get("/desa", query_string={"cari": typed}).get_data(as_text=True)
        assert not any(name in search for name in NAMES), typed
        assert desa_objects["draft"] not in search


def test_the_desas_own_operator_reaches_its_objects(app, desa_objects):
    client = app.test_client()
    sign_in(client, OWN)
    for method, rule, args in _routes(app):
        if method != "GET":
            continue
        response = client.get(_url(rule, desa_objects))
        assert response.status_code not in (403, 404, 500), (rule, response.status_code)
