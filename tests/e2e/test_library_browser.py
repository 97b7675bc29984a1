"""Browsing the library in a real browser: filter, scroll for more, open an item, search."""

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.library import services
from app.models import LibrarySection, MediaItem
from tests.conftest import Accounts, wait_for
from tests.e2e.conftest import csp_violations, mark_page, same_document
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app


@pytest.fixture
def app(sync_app, plex):
    """The live server's app holds a synced catalog; Private is for admins only."""
    plex.state.add_library("Movies", "movie", count=130)
    plex.state.add_library("TV Shows", "show", count=3, seasons=2, episodes=3)
    plex.state.add_library("Private", "movie", count=4)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        db.session.execute(
            update(LibrarySection).where(LibrarySection.title == "Private").values(hidden=True)
        )
        db.session.commit()
    accounts = Accounts(sync_app, None)
    accounts.owner()
    accounts.create("friend")
    return sync_app


def card_count(tab) -> int:
    return tab.locator(".poster-grid .poster-card").count()


@pytest.mark.browser
def test_browse_filter_scroll_and_open_an_item(open_page, sign_in, live_server):
    tab = open_page()
    sign_in(tab, "friend")
    tab.get_by_role("link", name="Library", exact=True).click()
    tab.wait_for_url(live_server.url + "/library/")
    tiles = tab.locator(".library-tile").all_inner_texts()
    assert any("Movies" in t for t in tiles) and any("TV Shows" in t for t in tiles)
    assert not any("Private" in t for t in tiles)

    tab.locator(".library-tile", has_text="Movies").click()
    tab.wait_for_selector(".poster-grid .poster-card")
    assert "130 movies" in tab.locator("#library-results [role=status]").inner_text()
    assert card_count(tab) == 48
    mark_page(tab)

    # Scrolling to the end of the grid loads the next pages in place.
    tab.locator(".grid-more").scroll_into_view_if_needed()
    wait_for(lambda: card_count(tab) > 48)
    tab.locator(".grid-more").scroll_into_view_if_needed()
    wait_for(lambda: card_count(tab) == 130)
    assert tab.locator(".grid-more").count() == 0
    assert same_document(tab)

    # A filter swaps the results and puts the view in the address, so back returns to it.
    genre = tab.locator("select[name=genre] option").nth(1).get_attribute("value")
    tab.locator("select[name=genre]").select_option(genre)
    tab.wait_for_url(re.compile(r"genre="))
    wait_for(lambda: card_count(tab) < 130)
    filtered = card_count(tab)
    assert 0 < filtered < 130 and same_document(tab)
    tab.locator("select[name=sort]").select_option("year")
    tab.wait_for_url(re.compile(r"sort=year"))
    assert "genre=" in tab.url

    first = tab.locator(".poster-card a").first
    title = first.locator(".poster-title").inner_text()
    first.click()
    tab.wait_for_url(re.compile(r"/library/item/\d+$"))
    assert tab.get_by_role("heading", level=1).inner_text() == title
    assert (
        tab.get_by_role("button", name="Play on Plex")
        .get_attribute("href")
        .startswith("https://app.plex.tv/desktop/#!/server/")
    )
    poster = tab.locator(".item-poster img")
    tab.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=poster.element_handle()
    )

    tab.go_back()
    tab.wait_for_url(re.compile(r"genre=.*sort=year|sort=year.*genre="))
    tab.wait_for_selector(".poster-card")
    assert tab.locator("select[name=genre]").input_value() == genre
    assert tab.problems.errors == [] and csp_violations(tab) == []


@pytest.mark.browser
def test_a_hidden_library_is_absent_for_a_user_and_there_for_the_admin(
    open_page, sign_in, live_server
):
    friend = open_page()
    sign_in(friend, "friend")
    friend.goto("/library/")
    assert "Private" not in friend.locator("main").inner_text()
    friend.goto("/library/3")
    assert friend.get_by_role("heading", name="Not found").is_visible()

    owner = open_page()
    sign_in(owner, "owner")
    owner.goto("/library/")
    owner.locator(".library-tile", has_text="Private").click()
    owner.wait_for_selector(".poster-card")
    assert card_count(owner) == 4


@pytest.mark.browser
def test_search_as_you_type(open_page, sign_in, live_server):
    tab = open_page()
    sign_in(tab, "friend")
    tab.goto("/library/")
    with live_server.app.app_context():
        title = db.session.scalars(
            select(MediaItem.title).where(MediaItem.type == "movie").limit(1)
        ).first()
    box = tab.get_by_role("searchbox", name="Search the library")
    box.press_sequentially(title[:12], delay=30)
    tab.wait_for_selector("#search-results .poster-card")
    assert tab.url.startswith(live_server.url + "/library/search?q=")
    assert tab.problems.errors == [] and csp_violations(tab) == []
