"""On a phone the navigation works and nothing needs sideways scrolling."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.library import services
from app.notifications.services import notify
from tests.conftest import Accounts
from tests.e2e.conftest import PHONE, csp_violations
from tests.integration import library_helpers
from tests.integration.dashboard_helpers import world

plex, sync_app = library_helpers.plex, library_helpers.sync_app
# Set to a folder to keep screenshots of the phone layouts, to look at.
SCREENSHOTS = os.environ.get("MEDIANEST_SCREENSHOTS")

pytestmark = pytest.mark.browser


def fits_the_screen(tab) -> bool:
    width = tab.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def screenshot(tab, name: str) -> None:
    if SCREENSHOTS:
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def within_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_phone_navigation_reaches_every_page(app, auth, open_page, sign_in, live_server):
    owner_id = auth.owner()
    world(app)
    with app.app_context():
        notify([owner_id], "A title long enough to need wrapping on a narrow phone screen", "Body")
    tab = open_page(viewport=PHONE)
    sign_in(tab)

    card = tab.locator("#service-medianest")
    expect(card.locator(".component")).to_have_count(6)
    for each in ("#service-cards", "#service-plex", "#service-kuma-12", "#kuma-banner"):
        assert within_screen(tab.locator(each)), f"{each} is wider than the screen"
    assert fits_the_screen(tab), "the dashboard scrolls sideways"

    header = tab.locator(".site-header")
    # On a phone "Dashboard" reads "Home" and Admin is in the account menu: one row of links.
    assert within_screen(header.get_by_role("link", name="Home", exact=True))
    rows = tab.evaluate(
        "[...document.querySelectorAll('.nav-links li')]"
        ".filter(li => li.offsetParent).map(li => li.offsetTop)"
    )
    assert len(rows) == 6 and len(set(rows)) == 1, "an admin's header links do not share one row"
    expect(header.locator(".nav-links").get_by_role("link", name="Admin")).to_be_hidden()
    assert within_screen(tab.locator("#bell"))
    assert within_screen(tab.locator("details.dropdown summary"))

    tab.locator("details.dropdown summary").click()
    header.locator(".account-menu").get_by_role("link", name="Admin", exact=True).click()
    expect(tab.get_by_role("heading", name="System health")).to_be_visible()
    assert fits_the_screen(tab), "the health page scrolls sideways"

    tab.locator("#bell").click()
    tab.wait_for_url(re.compile(r"/notifications/$"))
    expect(tab.locator(".notification")).to_have_count(1)
    assert within_screen(tab.get_by_role("button", name="Mark read"))
    assert fits_the_screen(tab), "the notifications page scrolls sideways"

    header.get_by_role("link", name="Home", exact=True).click()
    expect(tab.get_by_role("heading", name="Dashboard")).to_be_visible()

    tab.locator("details.dropdown summary").click()
    change = tab.get_by_role("link", name="Change password")
    expect(change).to_be_visible()
    assert within_screen(change)
    change.click()
    expect(tab.get_by_role("heading", name="Change password")).to_be_visible()
    assert fits_the_screen(tab)

    tab.locator("details.dropdown summary").click()
    sign_out = tab.get_by_role("button", name="Sign out")
    assert within_screen(sign_out)
    sign_out.click()
    tab.wait_for_url(re.compile(r"/login$"))
    assert fits_the_screen(tab), "the sign-in page scrolls sideways"


class TestLibraryGridOnAPhone:
    """A library's filters fold away on a phone, so the posters come first."""

    @pytest.fixture
    def app(self, sync_app, plex):
        plex.state.add_library("Movies", "movie", count=60)
        with sync_app.app_context():
            assert services.full_sync()["status"] == "succeeded"
        Accounts(sync_app, None).owner()
        return sync_app

    def test_posters_come_first_and_the_filters_still_work(self, open_page, sign_in):
        tab = open_page(viewport=PHONE)
        sign_in(tab)
        tab.goto("/library/1")
        first = tab.locator(".poster-card").first
        expect(first).to_be_visible()
        top = first.bounding_box()["y"]
        assert top < PHONE["height"] / 2, f"the first poster starts {top}px down"
        screenshot(tab, "phone-library-grid")
        toggle = tab.locator("summary", has_text="Filters")
        genre = tab.locator("select[name=genre]")
        expect(genre).to_be_hidden()

        toggle.click()
        expect(genre).to_be_visible()
        assert within_screen(genre) and fits_the_screen(tab)
        screenshot(tab, "phone-library-filters-open")
        all_cards = tab.locator("#library-results [role=status]").inner_text()
        genre.select_option(index=1)
        tab.wait_for_url(re.compile(r"genre="))
        expect(tab.locator("#library-results [role=status]")).not_to_have_text(all_cards)
        expect(toggle).to_contain_text("1")

        toggle.click()
        expect(genre).to_be_hidden()
        expect(toggle).to_contain_text("1")
        tab.reload()
        expect(tab.locator("summary", has_text="Filters")).to_contain_text("1")
        assert tab.locator(".poster-card").first.bounding_box()["y"] < PHONE["height"] / 2
        screenshot(tab, "phone-library-filtered")
        assert tab.problems.errors == [] and csp_violations(tab) == []

    def test_on_a_desktop_the_filters_are_simply_there(self, open_page, sign_in):
        tab = open_page()
        sign_in(tab)
        tab.goto("/library/1")
        expect(tab.locator("select[name=genre]")).to_be_visible()
        expect(tab.locator("summary", has_text="Filters")).to_be_hidden()
        tab.locator("select[name=genre]").select_option(index=1)
        tab.wait_for_url(re.compile(r"genre="))
        expect(tab.locator("#library-results")).to_contain_text("Clear filters")
        screenshot(tab, "desktop-library-filtered")
