"""The demo data of `make run`: one application in every state, with the references and PIN the README names."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application
from portal.services import calendar, demo, seed
from tests.web.apply_helpers import csrf


def test_demo_applications_cover_every_state_and_seed_once(app, client, regions):
    with app.app_context():
        seed.seed_demo_users()
        assert demo.seed_demo_applications(calendar.now()) == len(demo.DEMO_APPLICATIONS)
        assert demo.seed_demo_applications(calendar.now()) == 0
        states = dict(db.session.execute(select(Application.reference, Application.state)).all())
    assert states == {item.reference: item.state for item in demo.DEMO_APPLICATIONS}
    response = client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": "RBG-0000-0005",
                                           "pin": demo.DEMO_PIN})
    assert response.status_code == 303
    page = client.get("/lacak/RBG-0000-0005").get_data(as_text=True)
    assert "Perlu perbaikan" in page and "Foto buram" in page
