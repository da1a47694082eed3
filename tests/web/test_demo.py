"""The demo data of `make run`: one application in every state, with the references and PIN the README names."""

from sqlalchemy import select

from portal.extensions import db
from portal.domain import batch as batch_rules
from portal.models import Application, Batch
from portal.services import calendar, demo, seed
from tests.web.apply_helpers import csrf


def test_demo_applications_cover_every_state_and_seed_once(app, client, regions):
    with app.app_context():
        seed.seed_demo_users()
        village = [member for batch in demo.DEMO_BATCHES for member in batch.members]
        assert demo.seed_demo_applications(calendar.now()) == len(demo.DEMO_APPLICATIONS) + len(village)
        assert demo.seed_demo_applications(calendar.now()) == 0
        states = dict(db.session.execute(select(Application.reference, Application.state)).all())
        numbers = dict(db.session.execute(select(Batch.number, Batch.state)).all())
        in_batch = dict(db.session.execute(select(Application.reference, Batch.number).join(Application.batch)).all())
    assert states == {item.reference: item.state for item in (*demo.DEMO_APPLICATIONS, *village)}
    assert numbers == {"KOL-0000-0001": batch_rules.OPEN, "KOL-0000-0002": batch_rules.SUBMITTED,
                       "KOL-0000-0003": batch_rules.SUBMITTED}
    assert in_batch == {member.reference: batch.number for batch in demo.DEMO_BATCHES for member in batch.members}
    response = client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": "RBG-0000-0005",
                                           "pin": demo.DEMO_PIN})
    assert response.status_code == 303
    page = client.get("/lacak/RBG-0000-0005").get_data(as_text=True)
    assert "Perlu perbaikan" in page and "Foto buram" in page
