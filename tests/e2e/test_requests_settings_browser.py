"""Admin → Requests in a browser: connect Overseerr, make the webhook secret, match people."""

import pytest

from tests.conftest import Accounts
from tests.e2e.conftest import PHONE, screenshot
from tests.integration import overseerr_helpers as helpers
from tests.integration.overseerr_helpers import person

sim, ov_app = helpers.sim, helpers.ov_app


@pytest.fixture
def app(ov_app):
    Accounts(ov_app, None).owner()
    return ov_app


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_admin_connects_overseerr_and_matches_people(app, sim, open_page, sign_in):
    person(app, sim, "alice")
    person(app, sim, "carol", in_overseerr=False)
    tab = open_page()
    sign_in(tab)
    tab.goto("/admin/requests/settings")
    tab.get_by_role("button", name="Test connection").click()
    check = tab.locator("#connection-check")
    check.wait_for()
    assert "Connected to Overseerr 1.34.0." in check.inner_text()
    assert tab.url.endswith("/admin/requests/settings"), "the bar shows a POST-only address"
    tab.get_by_role("button", name="Make an Authorization value").click()
    value = tab.locator("#webhook-auth").input_value()
    assert value.startswith("Bearer ")
    tab.get_by_role("button", name="Import matches").click()
    report = tab.locator(".match-report")
    report.wait_for()
    assert "alice is alice in Overseerr" in report.inner_text()
    assert "carol: no Overseerr user" in report.inner_text()
    assert tab.url.endswith("/admin/requests/settings")
    assert no_sideways_scroll(tab)
    screenshot(tab, "requests-settings-desktop-light")
    assert tab.problems.errors == []
    assert tab.reload().status == 200, "reloading after Import matches fails"


def test_the_page_fits_a_phone_in_dark_mode(app, open_page, sign_in):
    tab = open_page(viewport=PHONE, color_scheme="dark")
    sign_in(tab)
    tab.goto("/admin/requests/settings")
    tab.get_by_label("Address").fill("overseerr:5055")
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.locator("#url-error").wait_for()
    assert "http://" in tab.locator("#url-error").inner_text()
    assert no_sideways_scroll(tab)
    screenshot(tab, "requests-settings-phone-dark")
    assert [e for e in tab.problems.errors if "400" not in e] == []
