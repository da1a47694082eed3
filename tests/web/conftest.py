"""Fixtures shared by the tests of the office's side (tests/web). A test module's own fixture of the same name
overrides these."""

from __future__ import annotations

import pytest

from tests.web.html_helpers import stop_nu_server
from tests.web.staff_helpers import create_staff, sign_in


@pytest.fixture
def staff(app, regions):
    """Create the staff accounts of staff_helpers.STAFF on a seeded catalogue and regions; return their ids by
    username."""
    return create_staff(app)


@pytest.fixture
def kabid(client, staff):
    """Return `client` signed in as "kabid" (the supervisor), after the `staff` accounts are made."""
    sign_in(client, "kabid")
    return client


@pytest.fixture(scope="session", autouse=True)
def nu_validator_service():
    """Stop the Nu validator service at the end of the run, if a test started it (html_helpers.nu_server)."""
    yield
    stop_nu_server()
