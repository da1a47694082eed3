"""The command-line tools: seeding, closures and notices."""

from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import DayRule, Notice, PickupPlace, Region, Service


def test_seed_loads_the_regency_and_catalogue_and_is_idempotent(app, runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "14 kecamatan, 294 desa/kelurahan, 15 services, 8 pickup places" in first.output
    second = runner.invoke(args=["seed"])
    assert "0 kecamatan, 0 desa/kelurahan, 0 services, 0 pickup places" in second.output
    with app.app_context():
        kinds = dict(db.session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all())
        assert kinds["kecamatan"] == 14 and kinds["desa"] + kinds["kelurahan"] == 294
        sumber = db.session.get(Region, "33.17.01")
        assert sumber.name == "Sumber" and sumber.parent_code == "33.17"
        village = db.session.get(Region, "33.17.01.2001")
        assert village.parent_code == "33.17.01" and village.postal_code == "59253"
        without_postal = db.session.scalar(select(func.count()).where(Region.kind != "kecamatan",
                                                                      Region.kind != "kabupaten",
                                                                      Region.postal_code.is_(None)))
        assert without_postal == 0
        assert db.session.scalar(select(func.count()).select_from(Service)) == 15
        assert db.session.scalar(select(func.count()).select_from(PickupPlace)) == 8


def test_seed_keeps_what_the_office_edited(app, runner):
    runner.invoke(args=["seed"])
    with app.app_context():
        db.session.get(Service, "KTP_BARU").notice_id = "Blangko habis"
        db.session.commit()
    runner.invoke(args=["seed"])
    with app.app_context():
        assert db.session.get(Service, "KTP_BARU").notice_id == "Blangko habis"


def test_seed_gives_a_service_without_any_pickup_place_its_catalogue_places_back(app, runner):
    runner.invoke(args=["seed"])
    with app.app_context():  # as an old SQLite migration left them (the admin pages never allow it)
        db.session.get(Service, "KIA").pickup_places = []
        db.session.get(Service, "KK_BARU").pickup_places = [db.session.get(PickupPlace, "DINAS")]
        db.session.commit()
    result = runner.invoke(args=["seed"])
    assert "Gave 1 service without any pickup place their catalogue places back." in result.output
    with app.app_context():
        assert [p.code for p in db.session.get(Service, "KIA").pickup_places] == ["DINAS", "MPP"]
        assert [p.code for p in db.session.get(Service, "KK_BARU").pickup_places] == ["DINAS"]  # edited: kept
    assert "Gave" not in runner.invoke(args=["seed"]).output


def test_seed_follows_the_configured_region(app, runner):
    app.config["REGION_CODE"] = "33.18"  # Kabupaten Pati
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.get(Region, "33.18").name == "Kabupaten Pati"
        assert db.session.get(Region, "33.17") is None


def test_seed_refuses_an_unknown_region(app, runner):
    app.config["REGION_CODE"] = "99.99"
    result = runner.invoke(args=["seed"])
    assert result.exit_code != 0
    assert "99.99" in str(result.exception)


def test_closure_add_list_remove(app, runner, catalogue):
    added = runner.invoke(args=["closure", "add", "2026-12-07", "--reason", "Server pusat gangguan"])
    assert added.exit_code == 0 and "Closed 2026-12-07" in added.output
    opened = runner.invoke(args=["closure", "add", "2026-12-24", "--open", "--window", "08:00-11:00"])
    assert opened.exit_code == 0 and "Opened 2026-12-24" in opened.output
    listing = runner.invoke(args=["closure", "list"]).output
    assert "Server pusat gangguan" in listing and "open 08:00-11:00" in listing
    # Setting the same date and scope again replaces the rule instead of stacking a second one.
    runner.invoke(args=["closure", "add", "2026-12-07", "--reason", "Rapat dinas"])
    with app.app_context():
        rules = db.session.scalars(select(DayRule).where(DayRule.day == date(2026, 12, 7))).all()
        assert [rule.reason for rule in rules] == ["Rapat dinas"]
        rule_id = rules[0].id
    assert runner.invoke(args=["closure", "remove", str(rule_id)]).exit_code == 0
    assert runner.invoke(args=["closure", "remove", str(rule_id)]).exit_code != 0


def test_closure_add_refuses_bad_input(runner, catalogue):
    assert "use a date" in runner.invoke(args=["closure", "add", "07-12-2026", "--reason", "x"]).output
    assert "reason" in runner.invoke(args=["closure", "add", "2026-12-07"]).output
    assert "window" in runner.invoke(args=["closure", "add", "2026-12-24", "--open",
                                           "--window", "8-11"]).output
    assert "only for a day that opens" in runner.invoke(
        args=["closure", "add", "2026-12-07", "--reason", "x", "--window", "08:00-09:00"]).output


def test_notice_add_list_remove(app, runner, catalogue):
    result = runner.invoke(args=["notice", "add", "Blangko KTP-el habis", "--service", "ktp_baru",
                                 "--until", "2026-12-31", "--english", "KTP-el blanks out of stock"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["notice", "list"]).output
    assert "Blangko KTP-el habis" in listing and "KTP_BARU" in listing
    with app.app_context():
        notice = db.session.scalars(select(Notice)).one()
        assert notice.starts_on == date(2026, 12, 3)  # today by the test clock
        assert notice.text_en == "KTP-el blanks out of stock"
    assert runner.invoke(args=["notice", "remove", str(notice.id)]).exit_code == 0
    assert "No notices" in runner.invoke(args=["notice", "list"]).output


def test_notice_add_refuses_bad_input(runner, catalogue):
    assert "unknown service" in runner.invoke(args=["notice", "add", "x", "--service", "NOPE"]).output
    assert "cannot end before" in runner.invoke(args=["notice", "add", "x", "--from", "2026-12-10",
                                                      "--until", "2026-12-01"]).output
    assert "needs text" in runner.invoke(args=["notice", "add", "  "]).output
