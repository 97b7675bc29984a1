"""Searching and filtering in a browser: what each hit is, the header's search, grid filters."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.library import services
from app.models import LibrarySection, MediaItem
from tests.conftest import Accounts, wait_for
from tests.e2e.conftest import PHONE, csp_violations
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app
WIDE = {"width": 1366, "height": 800}


def add_lighthouses(app) -> None:
    """Two tracks called "Last Lighthouse", a movie, an episode and an album near that word."""
    with app.app_context():
        sections = {s.type: s.id for s in db.session.scalars(select(LibrarySection))}
        key = db.session.scalar(select(func.max(MediaItem.rating_key))) + 1000

        def add(section, kind, title, parent=None, **extra) -> int:
            nonlocal key
            key += 1
            db.session.add(
                MediaItem(
                    rating_key=key,
                    section_id=sections[section],
                    type=kind,
                    title=title,
                    parent_rating_key=parent,
                    **extra,
                )
            )
            return key

        artist = add("artist", "artist", "Harbor Lights")
        first = add("artist", "album", "Northern Songs", artist, year=2004)
        second = add("artist", "album", "Live at Sea", artist, year=2010)
        add("artist", "track", "Last Lighthouse", first, index=3)
        add("artist", "track", "Last Lighthouse", second, index=7)
        add("movie", "movie", "Lighthouse at the End of the World", year=1971)
        show = add("show", "show", "Keepers of the Coast", year=2015)
        season = add("show", "season", "Season 1", show, index=1)
        add("show", "episode", "The Lighthouse", season, index=2)
        db.session.commit()


@pytest.fixture
def app(sync_app, plex):
    plex.state.add_library("Movies", "movie", count=60)
    plex.state.add_library("TV Shows", "show", count=2, seasons=1, episodes=2)
    plex.state.add_library("Music", "artist", count=2, seasons=1, episodes=2)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
    add_lighthouses(sync_app)
    accounts = Accounts(sync_app, None)
    accounts.owner()
    accounts.create("friend")
    return sync_app


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def card_lines(tab) -> list[tuple[str, str]]:
    cards = tab.locator("#search-results .poster-card")
    return [
        (card.locator(".poster-title").inner_text(), card.locator(".poster-line").inner_text())
        for card in cards.all()
    ]


@pytest.mark.browser
def test_the_header_search_finds_and_says_what_each_hit_is(open_page, sign_in, live_server):
    tab = open_page(viewport=WIDE)
    sign_in(tab, "friend")
    # On one line at 1366 px: brand, links, the search box, the bell and the account menu.
    brand = tab.locator(".site-header .brand").bounding_box()
    account = tab.locator(".account-menu summary").bounding_box()
    box = tab.get_by_role("searchbox", name="Search titles")
    assert box.is_visible()
    field = box.bounding_box()
    assert abs(account["y"] - brand["y"]) < 20 and abs(field["y"] - brand["y"]) < 20

    box.fill("lightouse")
    box.press("Enter")
    tab.wait_for_url(re.compile(r"/library/search\?q=lightouse$"))
    tab.wait_for_selector("#search-results .poster-card")
    status = tab.locator("#search-results [role=status]").inner_text()
    assert re.fullmatch(r"No exact matches for “lightouse”; showing \d+ close match(es)?\.", status)
    # The results page does not offer a link to itself.
    assert tab.locator("#search-results a", has_text="results page").count() == 0
    assert tab.locator("main a[href='/library/search?q=lightouse']").count() == 0

    lines = card_lines(tab)
    assert ("Last Lighthouse", "Track · Harbor Lights — Northern Songs") in lines
    assert ("Last Lighthouse", "Track · Harbor Lights — Live at Sea") in lines
    assert ("Lighthouse at the End of the World", "Movie · 1971") in lines
    assert ("The Lighthouse", "Episode · Keepers of the Coast S1E2") in lines
    # Among the equally close "Lighthouse" titles, whole titles come before tracks and episodes.
    kinds = [line.split(" · ")[0] for title, line in lines if "Lighthouse" in title]
    parts = [n for n, kind in enumerate(kinds) if kind in ("Track", "Episode", "Season")]
    wholes = [n for n, kind in enumerate(kinds) if kind not in ("Track", "Episode", "Season")]
    assert wholes and parts and max(wholes) < min(parts), kinds

    # The page's own box is rounded on both ends, as the library page's is.
    radii = tab.get_by_role("searchbox", name="Search the library").evaluate(
        "el => [getComputedStyle(el).borderTopLeftRadius,"
        " getComputedStyle(el).borderTopRightRadius]"
    )
    assert radii[0] == radii[1] and radii[1] != "0px"
    assert no_sideways_scroll(tab)
    assert tab.problems.errors == [] and csp_violations(tab) == []


@pytest.mark.browser
def test_typing_on_the_library_page_links_to_the_results_page(open_page, sign_in, live_server):
    tab = open_page(viewport=WIDE)
    sign_in(tab, "friend")
    tab.goto("/library/")
    tab.get_by_role("searchbox", name="Search the library").press_sequentially("harbor")
    tab.wait_for_selector("#search-results .poster-card")
    assert ("Harbor Lights", "Artist") in card_lines(tab)
    tab.get_by_role("link", name="Narrow by type, library or year").click()
    tab.wait_for_selector("select[name=type]")
    assert tab.get_by_role("searchbox", name="Search the library").input_value() == "harbor"
    assert tab.problems.errors == []


@pytest.mark.browser
def test_on_a_phone_the_header_search_opens_across_the_screen(open_page, sign_in, live_server):
    tab = open_page(viewport=PHONE)
    sign_in(tab, "friend")
    # A magnifier in the first row beside the menus; the links keep the second row to themselves.
    box = tab.get_by_role("searchbox", name="Search titles")
    brand = tab.locator(".site-header .brand").bounding_box()
    account = tab.locator(".account-menu summary").bounding_box()
    links = tab.locator(".nav-links").bounding_box()
    closed = box.bounding_box()
    assert abs(account["y"] - brand["y"]) < 20
    middle = closed["y"] + closed["height"] / 2
    assert closed["width"] < 50 and middle < links["y"]
    tops = [li.bounding_box()["y"] for li in tab.locator(".nav-links > li").all()]
    assert max(tops) - min(tops) < 5, "the links wrapped onto another row"
    assert no_sideways_scroll(tab)
    box.click()
    wait_for(lambda: box.bounding_box()["width"] > 300)  # opened across the screen
    box.press_sequentially("last light")
    box.press("Enter")
    tab.wait_for_url(re.compile(r"/library/search\?q=last\+light$"))
    tab.wait_for_selector("#search-results .poster-card")
    assert "Track · Harbor Lights — Live at Sea" in tab.locator("#search-results").inner_text()
    # The album that tells the two tracks apart is not cut off on a narrow card.
    for line in tab.locator("#search-results .poster-line").all():
        assert line.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), line.inner_text()
    assert no_sideways_scroll(tab)
    assert tab.problems.errors == [] and csp_violations(tab) == []


def summary(tab) -> str:
    return tab.locator("#library-results [role=status]").inner_text()


# The width a select needs to show its chosen option whole, against the width it has.
SELECT_FITS = """sel => {
  const style = getComputedStyle(sel);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = canvas.measureText(sel.options[sel.selectedIndex].text).width;
  const room = sel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return text <= room + 0.5;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["desktop", "phone"])
def test_grid_years_apply_as_typed_and_a_backwards_range_is_read_forwards(
    open_page, sign_in, live_server, viewport
):
    tab = open_page(viewport=viewport)
    sign_in(tab, "friend")
    with live_server.app.app_context():
        movies = db.session.scalar(select(LibrarySection.key).where(LibrarySection.type == "movie"))
        years = db.session.scalars(
            select(MediaItem.year).where(MediaItem.type == "movie", MediaItem.year.is_not(None))
        ).all()
    tab.goto(f"/library/{movies}")
    if viewport is PHONE:
        tab.locator(".filter-panel > summary").click()
    for select_box in tab.locator(".library-filters select").all():
        assert select_box.evaluate(SELECT_FITS), select_box.get_attribute("name")

    low, high = sorted(years)[len(years) // 4], sorted(years)[3 * len(years) // 4]
    tab.get_by_label("From year").press_sequentially(str(high))  # no Tab, no Enter
    tab.wait_for_url(re.compile(rf"year_from={high}"))
    expected = sum(1 for y in years if y >= high)
    wait_for(lambda: summary(tab).startswith(f"{expected} movie"))

    tab.get_by_label("To year").press_sequentially(str(low))
    tab.wait_for_url(re.compile(rf"year_from={low}&year_to={high}"))
    expected = sum(1 for y in years if low <= y <= high)
    wait_for(lambda: "wrong way round" in summary(tab))
    assert summary(tab).startswith(f"{expected} movie")
    assert f"from {low} to {high}" in summary(tab)
    assert tab.locator("#library-results .poster-card").count() == min(expected, 48)
    assert no_sideways_scroll(tab)
    assert tab.problems.errors == [] and csp_violations(tab) == []
