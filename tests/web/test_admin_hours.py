"""Weekly hours per activity, `/admin/jam`: saving a week (audited, at once on the banner, `/api/status`,
`/jadwal` and the queue's windows), each refused input (shown, kept), the warning about booked tickets that
fall outside, going back to the setting's hours, and supervisors only."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.domain.hours import Window
from portal.extensions import db
from portal.models import Application, AuditEntry, OfficeHours, QueueTicket
from portal.services import calendar, office_hours, queue, revisions
from tests.conftest import wib
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import make_application, sends_to_sign_in, sign_in

FRIDAY = date(2026, 12, 4)  # the clock's default is Thu 3 Dec 2026 09:00 WIB
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
USUAL = {"mon": "08:00-12:00", "tue": "08:00-12:00", "wed": "08:00-12:00", "thu": "08:00-12:00",
         "fri": "08:00-10:00", "sat": "", "sun": ""}


def _week(activity="submission", **days):
    return {f"{activity}-{day}": text for day, text in {**USUAL, **days}.items()}


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf(client, "/admin/jam"), **data})


def _audit(app):
    with app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action == "set_hours").order_by(AuditEntry.id)
        return [(entry.user_name, entry.detail) for entry in db.session.scalars(query)]


def _rows(app, activity="submission"):
    with app.app_context():
        return {row.weekday: row.windows for row in
                db.session.scalars(db.select(OfficeHours).where(OfficeHours.activity == activity))}


def _html(response):
    return response.get_data(as_text=True)


def _status(client, at):
    return client.get(f"/api/status?at={at}").get_json()


def _book(app, purpose_code, day, window, nik):
    with app.app_context():
        return queue.issue(queue.purpose(purpose_code), day, Window.parse(window), calendar.now(), nik=nik).code


def test_page_shows_the_settings_week_and_its_source(app, kabid):
    html = _html(kabid.get("/admin/jam"))
    assert "Jam buka mingguan" in html
    assert html.count("jam bawaan dari pengaturan server (OFFICE_HOURS)") == 2
    assert 'id="submission-fri" name="submission-fri" type="text" value="08:00-10:00"' in html
    assert 'id="pickup-mon" name="pickup-mon" type="text" value="08:00-14:00"' in html
    assert "Kembalikan ke bawaan" not in html  # nothing set here yet


def test_friday_closing_at_nine_is_stored_audited_and_at_once_everywhere(app, kabid, client, clock):
    assert _status(client, "2026-12-04T09:30:00+07:00")["submission"]["open"] is True
    with app.app_context():
        assert [str(w) for w in queue.slots(queue.purpose("KTP"), FRIDAY)] == ["08:00-09:00", "09:00-10:00"]
    response = _post(kabid, "/admin/jam/pengajuan", _week(fri="08:00-09:00"))
    assert response.status_code == 303 and response.headers["Location"] == "/admin/jam"
    page = _html(kabid.get("/admin/jam"))
    assert "Jam Pengajuan disimpan dan langsung berlaku" in page
    assert "Pengajuan: diatur di halaman ini (terakhir diubah Kamis, 3 Desember 2026, 09.00)" in page
    assert "Pengambilan: jam bawaan dari pengaturan server" in page
    assert _rows(app)["fri"] == ["08:00-09:00"] and _rows(app)["sat"] == [] and len(_rows(app)) == 7
    assert _rows(app, "pickup") == {}
    assert _audit(app) == [("Kepala Bidang", "Pengajuan: Senin 08:00-12:00; Selasa 08:00-12:00; Rabu 08:00-12:00; "
                                             "Kamis 08:00-12:00; Jumat 08:00-09:00; Sabtu tutup; Minggu tutup")]
    status = _status(client, "2026-12-04T09:30:00+07:00")
    assert status["submission"]["open"] is False and status["pickup"]["open"] is True
    assert status["submission"]["next_open"] == "2026-12-07T08:00:00+07:00"
    with app.app_context():
        assert [str(w) for w in queue.slots(queue.purpose("KTP"), FRIDAY)] == ["08:00-09:00"]
        assert [str(w) for w in queue.slots(queue.purpose("PICKUP"), FRIDAY)] == ["08:00-09:00", "09:00-10:00"]
    clock.now = wib(2026, 12, 4, 8, 40)
    home = _html(client.get("/"))
    assert "Pengajuan tutup 20 menit lagi (09.00\u00a0WIB)" in home
    assert "Pengambilan buka sampai 10.00\u00a0WIB" in home
    assert "08.00–09.00" in re.sub(r"<[^>]+>", "", _html(client.get("/jadwal")))  # this week's Friday


def test_queue_booking_follows_the_new_hours(app, kabid, client):
    _post(kabid, "/admin/jam/pengajuan", _week(fri="08:00-09:00", sat="08:00-10:00"))
    with app.app_context():
        offers = {offer.day: [str(slot.window) for slot in offer.slots]
                  for offer in queue.offers(queue.purpose("KTP"), calendar.now())}
    assert offers[FRIDAY] == ["08:00-09:00"]
    assert offers[date(2026, 12, 5)] == ["08:00-09:00", "09:00-10:00"]  # Saturday opens


def test_pickup_week_is_its_own(app, kabid, client):
    response = _post(kabid, "/admin/jam/pengambilan", _week("pickup", mon="07:30-15:00", sat="08:00-11:00",
                                                           fri=""))
    assert response.status_code == 303
    assert _rows(app, "pickup")["sat"] == ["08:00-11:00"] and _rows(app) == {}
    assert _status(client, "2026-12-05T09:00:00+07:00")["pickup"]["open"] is True
    assert _status(client, "2026-12-05T09:00:00+07:00")["submission"]["open"] is False
    assert _status(client, "2026-12-04T08:30:00+07:00")["pickup"]["open"] is False
    assert _audit(app)[0][1].startswith("Pengambilan: Senin 07:30-15:00; ")


def test_touching_windows_are_joined_and_said_so(app, kabid):
    response = _post(kabid, "/admin/jam/pengajuan", _week(mon="08:00-12:00, 12:00-13:00"))
    assert response.status_code == 303
    assert _rows(app)["mon"] == ["08:00-13:00"]
    assert "Jam yang bersambung pada hari Senin digabung: 08:00-13:00." in _html(kabid.get("/admin/jam"))


@pytest.mark.parametrize("days, field, message", [
    ({"tue": "pagi saja"}, "tue", "“pagi saja” tidak terbaca. Tulis jam seperti 08:00-12:00, 13:00-15:00."),
    ({"wed": "25:00-26:00"}, "wed", "tidak terbaca"),
    ({"thu": "12:00-08:00"}, "thu", "“12:00-08:00”: jam selesai harus sesudah jam mulai."),
    ({"mon": "05:00-12:00"}, "mon", "“05:00-12:00” di luar jam kantor yang mungkin (06:00–20:00)."),
    ({"fri": "13:00-21:00"}, "fri", "di luar jam kantor yang mungkin"),
    ({"mon": "08:00-12:00, 11:00-14:00"}, "mon", "Jam 08:00-12:00, 11:00-14:00 bertumpuk."),
    ({day: "" for day in DAYS}, "mon", "Pengajuan harus buka paling sedikit satu hari dalam seminggu."),
])
def test_week_errors_are_shown_next_to_the_field_and_input_kept(app, kabid, days, field, message):
    data = _week(**days)
    response = _post(kabid, "/admin/jam/pengajuan", data)
    html = _html(response)
    assert response.status_code == 422
    assert html.startswith("<!doctype html>") and "<title>Kesalahan:" in html
    assert f'href="#submission-{field}"' in html  # the summary links to the field
    error = html[html.index(f'id="submission-{field}-error"'):]
    assert message in error[:400]
    for name, text in data.items():
        assert f'name="{name}" type="text" value="{text}"' in html
    assert _rows(app) == {} and _audit(app) == []


def test_a_long_unreadable_day_is_quoted_short_and_a_very_long_one_refused(app, kabid):
    typed = "x" * 150
    html = _html(_post(kabid, "/admin/jam/pengajuan", _week(tue=typed)))
    error = html[html.index('id="submission-tue-error"'):].split("</p>")[0]
    assert "“" + "x" * 20 + "…” tidak terbaca." in error and "x" * 21 not in error
    assert f'value="{typed}"' in html  # the input itself is kept
    response = _post(kabid, "/admin/jam/pengajuan", _week(wed="08:00-12:00, " * 250))
    error = _html(response)[_html(response).index('id="submission-wed-error"'):].split("</p>")[0]
    assert response.status_code == 422 and "Paling banyak 200 huruf." in error and len(error) < 200
    assert _rows(app) == {}


def test_the_schedules_footnote_names_the_weekdays_the_week_closes(app, kabid, client, clock):
    html = _html(client.get("/jadwal"))
    assert "Sabtu, Minggu, libur nasional, dan cuti bersama: tutup" in html
    assert _post(kabid, "/admin/jam/pengambilan", _week("pickup", sat="08:00-11:00")).status_code == 303
    html = _html(client.get("/jadwal"))
    assert "Sabtu, Minggu" not in html and "selain Sabtu dan Minggu" not in html
    assert "<p class=\"small\">Minggu, libur nasional, dan cuti bersama: tutup, kecuali diumumkan lain." in html
    assert _post(kabid, "/admin/jam/pengajuan", _week(sun="08:00-10:00")).status_code == 303
    html = _html(client.get("/jadwal"))
    assert "<p class=\"small\">Libur nasional dan cuti bersama: tutup, kecuali diumumkan lain." in html
    client.set_cookie("bahasa", "en")
    assert "Saturdays, Sundays" not in _html(client.get("/jadwal"))


def test_the_schedules_heading_and_caption_name_the_same_week(client, clock):
    assert "minggu ini</caption>" in _html(client.get("/jadwal")) and "Minggu ini</h2>" in _html(client.get("/jadwal"))
    clock.now = wib(2026, 12, 5, 9, 0)  # a Saturday: the coming week is shown
    html = _html(client.get("/jadwal"))
    assert "Minggu depan</h2>" in html and "minggu depan</caption>" in html and "minggu ini" not in html


def test_pickup_may_close_all_week(app, kabid):
    response = _post(kabid, "/admin/jam/pengambilan", {f"pickup-{day}": "" for day in DAYS})
    assert response.status_code == 303
    assert _rows(app, "pickup") == {day: [] for day in DAYS}


def test_booked_tickets_outside_the_new_hours_need_a_confirmation(app, kabid, client):
    kept = _book(app, "KTP", FRIDAY, "09:00-10:00", "3317014101900001")
    _book(app, "KK", FRIDAY, "09:00-10:00", "3317014101900002")
    _book(app, "KTP", FRIDAY, "08:00-09:00", "3317014101900003")  # inside the new hours
    _book(app, "PICKUP", FRIDAY, "09:00-10:00", "3317014101900004")  # pickup hours do not change
    gone = _book(app, "KTP", date(2026, 12, 7), "11:00-12:00", "3317014101900005")
    with app.app_context():
        ticket = queue.find(gone)
        assert queue.cancel(ticket, calendar.now())  # a cancelled ticket is not counted
    _book(app, "KTP", date(2026, 12, 8), "11:00-12:00", "3317014101900006")
    data = _week(fri="08:00-09:00", tue="08:00-11:00")
    response = _post(kabid, "/admin/jam/pengajuan", data)
    html = _html(response)
    assert response.status_code == 409
    assert "3 tiket antrean yang sudah dipesan berada di luar jam baru:" in html
    assert "Jumat, 4 Desember 2026: 2 tiket" in html and "Selasa, 8 Desember 2026: 1 tiket" in html
    assert "Senin, 7 Desember 2026" not in html
    assert "Tiket itu tetap berlaku" in html and 'name="submission-konfirmasi"' in html
    assert 'name="submission-fri" type="text" value="08:00-09:00"' in html
    assert _rows(app) == {} and _audit(app) == []
    response = _post(kabid, "/admin/jam/pengajuan", {**data, "submission-konfirmasi": "y"})
    assert response.status_code == 303
    assert "3 tiket antrean yang sudah dipesan di luar jam baru tetap berlaku." in _html(kabid.get("/admin/jam"))
    assert _rows(app)["fri"] == ["08:00-09:00"] and len(_audit(app)) == 1
    with app.app_context():
        assert queue.find(kept).state == "waiting"  # still valid
        assert db.session.scalar(db.select(db.func.count()).select_from(QueueTicket)
                                 .where(QueueTicket.state == "waiting")) == 5


def _ready(app, day, window, state="ready"):
    """Make a ready application told to come on `day` in `window` (or one in `state` carrying that date)."""
    reference, _pin = make_application(app, "KTP_BARU", state="ready")
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == reference))
        application.pickup_date, application.pickup_window, application.state = day, window, state
        db.session.commit()
    return reference


def test_ready_documents_outside_the_new_pickup_week_need_a_confirmation(app, kabid):
    _ready(app, FRIDAY, "09:00-10:00")
    _ready(app, date(2026, 12, 7), "12:00-13:00")
    _ready(app, date(2026, 12, 7), "09:00-10:00")  # inside the new hours
    _ready(app, date(2026, 12, 8), None)  # no window: Tuesday stays open
    _ready(app, date(2026, 12, 2), "09:00-10:00")  # yesterday: not counted
    _ready(app, FRIDAY, "09:00-10:00", state="collected")  # already collected
    data = _week("pickup", mon="08:00-12:00", tue="08:00-14:00", wed="08:00-14:00", thu="08:00-14:00", fri="")
    response = _post(kabid, "/admin/jam/pengambilan", data)
    html = _html(response)
    assert response.status_code == 409
    assert "2 dokumen siap diambil dijadwalkan di luar jam pengambilan baru:" in html
    assert "Jumat, 4 Desember 2026: 1 dokumen" in html and "Senin, 7 Desember 2026: 1 dokumen" in html
    assert "tetap memakainya kecuali petugas mengubahnya" in html and 'name="pickup-konfirmasi"' in html
    assert "tanggal pengambilan yang sudah diberikan tetap berlaku" in html
    assert _rows(app, "pickup") == {} and _audit(app) == []
    response = _post(kabid, "/admin/jam/pengambilan", {**data, "pickup-konfirmasi": "y"})
    assert response.status_code == 303 and _rows(app, "pickup")["fri"] == []
    assert "2 dokumen siap diambil tetap dijadwalkan pada tanggal yang sudah diberitahukan" in _html(
        kabid.get("/admin/jam"))


def test_back_to_the_settings_hours_warns_about_ready_documents(app, kabid):
    assert _post(kabid, "/admin/jam/pengambilan", _week("pickup", sat="08:00-11:00")).status_code == 303
    _ready(app, date(2026, 12, 5), None)
    response = _post(kabid, "/admin/jam/pengambilan/bawaan", {})
    assert response.status_code == 409 and "Sabtu, 5 Desember 2026: 1 dokumen" in _html(response)
    assert 'name="pickup-bawaan-konfirmasi"' in _html(response)
    response = _post(kabid, "/admin/jam/pengambilan/bawaan", {"pickup-bawaan-konfirmasi": "y"})
    assert response.status_code == 303 and _rows(app, "pickup") == {}


def test_todays_tickets_count_only_until_their_window_ends(app, kabid, clock):
    _book(app, "KTP", date(2026, 12, 3), "11:00-12:00", "3317014101900001")
    response = _post(kabid, "/admin/jam/pengajuan", _week(thu="08:00-10:00"))
    assert response.status_code == 409 and "Kamis, 3 Desember 2026: 1 tiket" in _html(response)
    clock.now = wib(2026, 12, 3, 12, 30)
    assert _post(kabid, "/admin/jam/pengajuan", _week(thu="08:00-10:00")).status_code == 303


def test_back_to_the_settings_hours(app, kabid, client):
    _post(kabid, "/admin/jam/pengajuan", _week(fri="08:00-09:00"))
    assert "Kembalikan ke bawaan" in _html(kabid.get("/admin/jam"))
    assert _status(client, "2026-12-04T09:30:00+07:00")["submission"]["open"] is False
    response = _post(kabid, "/admin/jam/pengajuan/bawaan", {})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/jam"
    html = _html(kabid.get("/admin/jam"))
    assert "Jam Pengajuan kembali ke jam bawaan dari pengaturan server." in html
    assert html.count("jam bawaan dari pengaturan server (OFFICE_HOURS)") == 2
    assert _rows(app) == {}
    assert _audit(app)[1] == ("Kepala Bidang", "Pengajuan: Senin 08:00-12:00; Selasa 08:00-12:00; Rabu 08:00-12:00; "
                                               "Kamis 08:00-12:00; Jumat 08:00-10:00; Sabtu tutup; Minggu tutup "
                                               "(kembali ke jam bawaan)")
    assert _status(client, "2026-12-04T09:30:00+07:00")["submission"]["open"] is True
    again = _post(kabid, "/admin/jam/pengajuan/bawaan", {})  # a second click
    assert again.status_code == 303 and "sudah mengikuti jam bawaan" in _html(kabid.get("/admin/jam"))
    assert len(_audit(app)) == 2


def test_back_to_the_settings_hours_warns_about_booked_tickets(app, kabid):
    _post(kabid, "/admin/jam/pengambilan", _week("pickup", sat="08:00-11:00"))
    _book(app, "PICKUP", date(2026, 12, 5), "09:00-10:00", "3317014101900001")
    response = _post(kabid, "/admin/jam/pengambilan/bawaan", {})
    assert response.status_code == 409 and "Sabtu, 5 Desember 2026: 1 tiket" in _html(response)
    assert _rows(app, "pickup")["sat"] == ["08:00-11:00"]
    response = _post(kabid, "/admin/jam/pengambilan/bawaan", {"pickup-bawaan-konfirmasi": "y"})
    assert response.status_code == 303 and _rows(app, "pickup") == {}


def test_weekly_hours_are_cached_until_the_calendar_revision_changes(app):
    with app.app_context():
        before = calendar.weekly_hours()
        db.session.add(OfficeHours(activity="submission", weekday="fri", windows=["08:00-09:00"]))
        db.session.commit()
        assert calendar.weekly_hours() is before  # no query per request
        revisions.bump(revisions.CALENDAR)
        db.session.commit()
        assert [str(w) for w in calendar.weekly_hours().windows["submission"][4]] == ["08:00-09:00"]
        assert calendar.weekly_hours().windows["submission"][0] == ()  # the rows are the whole week


def test_save_week_refuses_a_malformed_window(app):
    with app.app_context():
        with pytest.raises(ValueError):
            office_hours.save_week("submission", {"mon": ["pagi"]}, calendar.now())
        with pytest.raises(ValueError):
            office_hours.save_week("lunch", {"mon": ["08:00-12:00"]}, calendar.now())
        assert db.session.scalar(db.select(db.func.count()).select_from(OfficeHours)) == 0


def test_unknown_activity_is_404(kabid):
    assert _post(kabid, "/admin/jam/makan-siang", _week()).status_code == 404


# Who may

POSTS = ["/admin/jam/pengajuan", "/admin/jam/pengambilan/bawaan"]


@pytest.mark.parametrize("username", ["clerk", "op.sumber"])
def test_clerks_and_operators_get_403(client, staff, username):
    sign_in(client, username)
    token = csrf(client, "/")
    assert client.get("/admin/jam").status_code == 403
    for path in POSTS:
        assert client.post(path, data={"csrf_token": token, **_week()}).status_code == 403, path


def test_visitors_go_to_sign_in(client, staff):
    assert sends_to_sign_in(client.get("/admin/jam"))
    response = client.post("/admin/jam/pengajuan", data={"csrf_token": csrf(client, "/masuk"), **_week()})
    assert response.status_code == 303 and response.headers["Location"].startswith("/masuk")


def test_post_without_csrf_token_is_refused(app, kabid):
    for path in POSTS:
        assert kabid.post(path, data=_week(fri="08:00-09:00")).status_code == 400, path
    assert _rows(app) == {} and _audit(app) == []


def test_hours_pages_are_valid_html(app, kabid, tmp_path):
    _post(kabid, "/admin/jam/pengambilan", _week("pickup", sat="08:00-11:00"))
    _book(app, "KTP", FRIDAY, "09:00-10:00", "3317014101900001")
    _book(app, "PICKUP", date(2026, 12, 5), "09:00-10:00", "3317014101900002")
    _ready(app, date(2026, 12, 5), "09:00-10:00")
    pages = {
        "hours": kabid.get("/admin/jam"),
        "hours-error": _post(kabid, "/admin/jam/pengajuan", _week(mon="pagi", tue="12:00-08:00")),
        "hours-tickets": _post(kabid, "/admin/jam/pengajuan", _week(fri="08:00-09:00")),
        "hours-reset-tickets": _post(kabid, "/admin/jam/pengambilan/bawaan", {}),
    }
    kabid.set_cookie("bahasa", "en")
    pages["en-hours"] = kabid.get("/admin/jam")
    assert [r.status_code for r in pages.values()] == [200, 422, 409, 409, 200]
    assert "1 dokumen siap diambil dijadwalkan" in _html(pages["hours-reset-tickets"])
    nu_validate(tmp_path, pages)
