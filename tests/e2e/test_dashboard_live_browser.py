"""The dashboard left open: a service going down turns its card red live, new monitors appear."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import Accounts
from tests.e2e.conftest import DESKTOP, PHONE, csp_violations, screenshot, wait_until_live
from tests.integration.dashboard_helpers import announce, put_state, world

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": DESKTOP["height"]}


@pytest.fixture
def people(app):
    accounts = Accounts(app, None)
    accounts.owner()
    accounts.create("friend")
    world(app)


def fits(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_dashboard(open_page, sign_in, username, viewport, scheme):
    tab = open_page(viewport=viewport, color_scheme=scheme)
    sign_in(tab, username)
    tab.evaluate("window.__sameDocument = true")
    return tab


@pytest.mark.parametrize(
    ("viewport", "scheme"), [(WIDE, "light"), (PHONE, "dark")], ids=["1366-light", "390-dark"]
)
def test_cards_change_live_for_admin_and_friend(
    app, people, open_page, sign_in, live_server, viewport, scheme
):
    admin = open_dashboard(open_page, sign_in, "owner", viewport, scheme)
    friend = open_dashboard(open_page, sign_in, "friend", viewport, scheme)
    wait_until_live(live_server, more_than=1)
    for tab in (admin, friend):
        expect(tab.locator("#service-kuma-12 .badge")).to_have_text("Up")
        assert fits(tab), "the dashboard scrolls sideways"
    expect(admin.locator("#service-plex")).to_contain_text("Direct play")
    expect(friend.locator("#service-plex")).not_to_contain_text("Direct play")
    expect(friend.locator("#service-kuma-14")).to_have_count(0)
    screenshot(admin, f"dashboard-admin-{scheme}-{viewport['width']}")
    screenshot(friend, f"dashboard-friend-{scheme}-{viewport['width']}")

    put_state(
        app,
        "kuma:12",
        "monitor",
        "Website",
        "down",
        public=True,
        reason="timeout",
        info={"group": "Public", "pings": [40, None, None]},
    )
    announce(app, "kuma:12")
    for tab in (admin, friend):
        card = tab.locator("#service-kuma-12")
        expect(card.locator(".badge")).to_have_text("Down")
        expect(card).to_contain_text("Timed out after 10 s")
        expect(card).to_have_class(re.compile(r"\btone-bad\b"))
        colour = card.evaluate("el => getComputedStyle(el).borderLeftColor")
        assert colour not in ("", "rgba(0, 0, 0, 0)"), colour

    put_state(
        app,
        "kuma:20",
        "monitor",
        "Game server",
        public=False,
        info={"group": "Inside", "pings": [5, 6]},
    )
    announce(app, "kuma:20")
    expect(admin.locator("#service-kuma-20")).to_contain_text("Game server")
    expect(admin.locator("#service-kuma-20")).to_be_visible()
    put_state(app, "kuma:20", "monitor", "Game server", public=True, info={"group": "Inside"})
    friend.wait_for_timeout(500)
    expect(friend.locator("#service-kuma-20")).to_have_count(0)
    announce(app, "kuma:20")
    expect(friend.locator("#service-kuma-20")).to_contain_text("Game server")

    for tab in (admin, friend):
        assert tab.evaluate("window.__sameDocument === true"), "the page reloaded"
        assert fits(tab), "the dashboard scrolls sideways after the updates"
        assert tab.problems.errors == [] and csp_violations(tab) == []
    screenshot(admin, f"dashboard-admin-live-{scheme}-{viewport['width']}")
