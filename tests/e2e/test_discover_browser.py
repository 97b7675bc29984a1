"""Discover in a browser: rows of posters, search as you type, a show partly on Plex."""

import pytest

from tests.conftest import Accounts
from tests.e2e import demo_helpers
from tests.e2e.conftest import PHONE, csp_violations, mark_page, same_document, screenshot
from tests.e2e.demo_helpers import demo_app
from tests.integration import discover_helpers

pytestmark = pytest.mark.browser

demo_plex, tmdb_sim = demo_helpers.demo_plex, discover_helpers.tmdb_sim
WIDE = {"width": 1366, "height": 800}
SHOW = 2_000_012  # the demo Plex has 3 of its 4 seasons


@pytest.fixture
def app(make_app, demo_plex, tmdb_sim):
    tmdb = discover_helpers.tmdb_config(tmdb_sim)
    app = demo_app(lambda **extra: make_app(**tmdb, **extra), demo_plex)
    accounts = Accounts(app, None)
    accounts.owner()
    accounts.create("friend")
    return app


def fits(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_rows_search_and_a_show_with_seasons_partly_on_plex(
    open_page, sign_in, tmdb_sim, viewport, scheme
):
    tab = open_page(viewport=viewport, color_scheme=scheme)
    sign_in(tab, "friend")
    tab.get_by_role("link", name="Discover", exact=True).first.click()
    tab.wait_for_url("**/discover")
    for label in ("Trending this week", "Popular movies", "Popular shows", "Coming soon"):
        assert tab.get_by_role("heading", name=label).is_visible()
    assert tab.locator(".discover-card .badge", has_text="On Plex").count() > 0
    first_poster = tab.locator(".discover-row img").first
    first_poster.wait_for()
    # The poster arrives through our proxy: wait for it to be drawn, however busy the machine.
    tab.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first_poster.element_handle()
    )
    assert fits(tab)
    name = f"discover-{scheme}-{viewport['width']}"
    screenshot(tab, f"{name}-rows")

    show = tmdb_sim.state.catalog.facts("tv", SHOW)["title"]
    mark_page(tab)
    typed = show[:12]
    tab.get_by_label("Search movies and shows").press_sequentially(typed, delay=30)
    # The answer to the last letters typed, not to a pause on the way (that one is replaced).
    summary = tab.locator("#discover-results [role=status]", has_text=f"“{typed.strip()}”")
    summary.wait_for()
    card = tab.locator("#discover-results .discover-card", has_text=show).first
    card.wait_for()
    assert same_document(tab)  # results came as a fragment, no page load
    assert fits(tab)
    screenshot(tab, f"{name}-search")

    tab.locator(f'#discover-results a[href="/discover/tv/{SHOW}"]').first.click()
    tab.wait_for_url(f"**/discover/tv/{SHOW}")
    assert tab.get_by_role("heading", name=show, level=1).is_visible()
    seasons = tab.locator(".season-list li")
    assert seasons.count() == 4
    for number in (1, 2, 3):
        assert "On Plex" in seasons.nth(number - 1).inner_text()
    assert "Not on Plex" in seasons.nth(3).inner_text()
    assert tab.get_by_role("link", name="Open in the library").is_visible()
    assert tab.locator("#request-box").count() == 1
    assert fits(tab)
    screenshot(tab, f"{name}-show")
    assert tab.problems.errors == [] and csp_violations(tab) == []


def test_an_unknown_title_is_a_page_with_a_way_back(open_page, sign_in):
    tab = open_page(viewport=PHONE)
    sign_in(tab, "owner")
    response = tab.goto("/discover/movie/12345")
    assert response.status == 404
    assert tab.get_by_role("heading", name="No such movie").is_visible()
    tab.get_by_role("link", name="Back to Discover").click()
    tab.wait_for_url("**/discover")
    assert fits(tab)
