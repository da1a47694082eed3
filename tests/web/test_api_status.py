"""The `/api/status` JSON contract of product.md."""

from datetime import datetime

import pytest

from tests.conftest import wib


def test_open_instant_matches_the_contract(client, catalogue):
    data = client.get("/api/status?at=2026-12-04T09:30:00+07:00").get_json()
    assert list(data)[:5] == ["at", "timezone", "submission", "pickup", "closure"]
    assert data["at"] == "2026-12-04T09:30:00+07:00"
    assert data["submission"]["open"] is True
    assert data["submission"]["closes_at"] == "2026-12-04T10:00:00+07:00"
    assert data["submission"]["next_open"] is None
    assert data["pickup"] == {**data["pickup"], "open": True, "closes_at": "2026-12-04T10:00:00+07:00",
                              "next_open": None}
    assert data["closure"] is None and data["notices"] == []


def test_closed_day_has_closure_and_next_open(client, catalogue):
    data = client.get("/api/status?at=2026-12-25T09:00:00+07:00").get_json()
    for activity in ("submission", "pickup"):
        assert data[activity]["open"] is False
        assert data[activity]["closes_at"] is None
        assert data[activity]["next_open"] == "2026-12-28T08:00:00+07:00"
    assert data["closure"]["date"] == "2026-12-25"
    assert data["closure"]["reason"] == "Hari Raya Natal"


@pytest.mark.parametrize("query, expected_at", [
    ("2026-12-04T09:30:00", "2026-12-04T09:30:00+07:00"),  # no offset: read as WIB
    ("2026-12-04T02:30:00Z", "2026-12-04T09:30:00+07:00"),
    ("2026-12-04T02:30:00%2B00:00", "2026-12-04T09:30:00+07:00"),
    ("2026-12-04T09:30:00 07:00", "2026-12-04T09:30:00+07:00"),  # an unencoded + arrives as a space
])
def test_at_is_read_in_wib_unless_it_has_an_offset(client, catalogue, query, expected_at):
    response = client.get(f"/api/status?at={query}")
    assert response.status_code == 200
    assert response.get_json()["at"] == expected_at


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T09:00", "", "2026-12-04T25:00"])
def test_bad_at_is_400_with_json_error(client, catalogue, bad):
    response = client.get(f"/api/status?at={bad}")
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"] == "invalid_at"
    assert "ISO 8601" in response.get_json()["message"]


def test_without_at_uses_the_clock(client, catalogue, clock):
    clock.now = wib(2026, 12, 1, 11, 40)
    data = client.get("/api/status").get_json()
    assert data["at"] == "2026-12-01T11:40:00+07:00"
    assert data["submission"]["closing_soon"] is True and data["submission"]["minutes_left"] == 20
    assert data["pickup"]["closing_soon"] is False


def test_office_closure_and_notices_appear_at_once(client, catalogue, runner):
    runner.invoke(args=["closure", "add", "2026-12-07", "--reason", "Server pusat gangguan"])
    runner.invoke(args=["notice", "add", "Blangko KTP-el habis", "--until", "2026-12-31"])
    data = client.get("/api/status?at=2026-12-07T09:00:00").get_json()
    assert data["closure"] == {"date": "2026-12-07", "reason": "Server pusat gangguan", "reason_en": None}
    assert data["submission"]["next_open"] == "2026-12-08T08:00:00+07:00"
    assert [notice["text"] for notice in data["notices"]] == ["Blangko KTP-el habis"]
    after = client.get("/api/status?at=2027-01-04T09:00:00").get_json()
    assert after["notices"] == []


def test_api_errors_are_json(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.is_json


def test_cors_and_cache_headers(client, catalogue):
    response = client.get("/api/status")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=30" in response.headers["Cache-Control"]
    datetime.fromisoformat(response.get_json()["at"])
