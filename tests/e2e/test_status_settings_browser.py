"""Admin → Status settings in a browser: connect Uptime Kuma, choose the monitors everyone sees."""

import pytest

from app import settings
from simulators.uptime_kuma import KumaSimulator, demo_state
from tests.conftest import Accounts
from tests.e2e.conftest import DESKTOP, PHONE, screenshot

PAGE = "/admin/status"


@pytest.fixture
def kuma():
    with KumaSimulator(demo_state()) as sim:
        yield sim


@pytest.fixture
def app(make_app):
    app = make_app()
    Accounts(app, None).owner()
    return app


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(
    ("viewport", "scheme"), [({**DESKTOP, "width": 1366}, "light"), (PHONE, "dark")]
)
def test_an_admin_connects_kuma_and_makes_a_monitor_visible(
    app, kuma, open_page, sign_in, viewport, scheme
):
    tab = open_page(viewport=viewport, color_scheme=scheme)
    sign_in(tab)
    tab.goto(PAGE)
    assert "Checks now run every 60 s" in tab.locator("#interval-hint").inner_text()
    tab.get_by_label("Address").fill(kuma.url)
    tab.get_by_label("Status page slug").fill("home")
    tab.get_by_role("button", name="Test connection").click()
    check = tab.locator("#connection-check")
    check.wait_for()
    assert "Status page 'Home' with 6 monitors in 2 groups." in check.inner_text()
    assert tab.url.endswith(PAGE), "the bar shows a POST-only address"
    assert tab.locator("input[name=public]").count() == 6
    assert no_sideways_scroll(tab)
    tab.get_by_label("Router · Network · Visible to everyone").check()
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.get_by_text("Saved.").wait_for()
    with app.app_context():
        assert settings.get("kuma.url") == kuma.url
        assert settings.get("kuma.public_monitors") == "3"
    assert tab.problems.errors == []
    assert tab.reload().status == 200
    screenshot(tab, f"status-settings-{viewport['width']}-{scheme}")  # its own styles break CSP


def test_a_bad_slug_is_shown_at_its_field_on_a_phone(app, open_page, sign_in):
    tab = open_page(viewport=PHONE, color_scheme="dark")
    sign_in(tab)
    tab.goto(PAGE)
    tab.get_by_label("Address").fill("http://kuma:3001")
    tab.get_by_label("Status page slug").fill("My Home")
    tab.get_by_label("Seconds between checks").fill("5")
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.locator("#slug-error").wait_for()
    assert "lowercase letters" in tab.locator("#slug-error").inner_text()
    assert "from 15 to 3600" in tab.locator("#interval-error").inner_text()
    assert no_sideways_scroll(tab)
    assert [e for e in tab.problems.errors if "400" not in e] == []
