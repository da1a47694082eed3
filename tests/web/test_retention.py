"""Retention: scans of ended applications are deleted after the configured days; records and history stay."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationDocument, ApplicationEvent
from portal.services import applications
from tests.conftest import wib
from tests.web.apply_helpers import apply_lost_ktp
from tests.web.storage_helpers import stored_names



def test_scans_of_ended_applications_are_purged_after_the_retention(app, client, regions, clock, runner):
    apply_lost_ktp(client)
    other = app.test_client()
    apply_lost_ktp(other, nik="3317014101900002")  # another resident: no open application of hers
    with app.app_context():
        first, second = db.session.scalars(select(Application).order_by(Application.id)).all()
        applications.cancel(first, wib(2026, 12, 3, 10, 0))  # ended
        second_id = second.id  # still submitted: never purged
    assert len(stored_names(app)) == 4
    clock.now = wib(2026, 12, 3, 10, 0) + timedelta(days=89)
    assert "Deleted 0 scans" in runner.invoke(args=["scans", "purge"]).output
    clock.now = wib(2026, 12, 3, 10, 0) + timedelta(days=91)
    result = runner.invoke(args=["scans", "purge"])
    assert "Deleted 2 scans of 1 applications that ended more than 90 days ago." in result.output
    assert len(stored_names(app)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 2
        assert db.session.scalar(select(func.count()).select_from(ApplicationEvent)) == 5  # history kept
        remaining = db.session.scalars(select(ApplicationDocument.application_id)).all()
        assert set(remaining) == {second_id}
    assert "Deleted 0 scans" in runner.invoke(args=["scans", "purge"]).output
    # Even with no retention at all, an application still in progress keeps its scans.
    assert "Deleted 0 scans" in runner.invoke(args=["scans", "purge", "--days", "0"]).output


def test_the_signed_pdf_of_a_collected_self_printed_document_is_purged_too(app, regions, clock, runner):
    from portal.services import calendar
    from tests.web.staff_helpers import create_staff, make_application

    create_staff(app)
    reference, _pin = make_application(app, "KK_BARU", state="ready")
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.reference == reference))
        output = application.output_stored_name
        assert applications.collect_by_download(application, calendar.now(), "Dokumen diunduh pemohon")
        assert not applications.collect_by_download(application, calendar.now(), "again")  # once only
    assert output in stored_names(app)
    clock.now = clock.now + timedelta(days=91)
    assert "Deleted 4 scans of 1 applications" in runner.invoke(args=["scans", "purge"]).output
    assert output not in stored_names(app)
    with app.app_context():
        assert db.session.scalar(select(Application.output_stored_name)) is None
