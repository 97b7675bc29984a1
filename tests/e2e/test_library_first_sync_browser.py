"""The library page before and during the first sync, and where an episode page says it belongs."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.library import services, sync_jobs
from app.models import MediaItem
from tests.conftest import Accounts, wait_for
from tests.e2e.conftest import (
    PHONE,
    csp_violations,
    mark_page,
    same_document,
    screenshot,
    wait_until_live,
)
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app
pytestmark = pytest.mark.browser


class TestTheFirstSync:
    @pytest.fixture
    def app(self, sync_app, plex):
        plex.state.add_library("Movies", "movie", count=150)
        plex.state.add_library("TV Shows", "show", count=2, seasons=1, episodes=2)
        # Each page of the scan takes a moment, as a big one would: long enough for a second
        # person to sign in and open the page while it runs, on a busy machine too.
        plex.state.slow_seconds = 1.5
        accounts = Accounts(sync_app, None)
        accounts.owner()
        accounts.create("friend")
        return sync_app

    def test_the_library_page_says_the_sync_runs_and_fills_in_when_it_is_done(
        self, app, worker, open_page, sign_in, live_server
    ):
        owner = open_page()
        sign_in(owner)
        with owner.expect_websocket(lambda ws: ws.url.endswith("/ws")):
            owner.goto("/library/")
        wait_until_live(live_server)
        body = owner.locator("#library-body")
        expect(body).to_contain_text("Press Sync now under Admin → Library")
        expect(body).not_to_contain_text("Connect Plex")
        expect(body.get_by_role("link", name="Admin → Library")).to_have_attribute(
            "href", "/admin/library"
        )
        mark_page(owner)

        with app.app_context():
            assert sync_jobs.start_full_sync() is None
            wait_for(lambda: services.running_run() is not None, timeout=20)
            db.session.remove()
        friend = open_page(viewport=PHONE)
        sign_in(friend, "friend")
        friend.goto("/library/")
        friend_body = friend.locator("#library-body")
        expect(friend_body).to_contain_text("The first sync from Plex is running")
        expect(friend_body).not_to_contain_text("Admin")
        screenshot(friend, "phone-library-first-sync-friend")
        # The owner's page, open since before the sync, shows its progress as it goes.
        expect(owner.locator("#sync-progress")).to_contain_text("Syncing", timeout=20_000)
        expect(owner.get_by_text("Press Sync now")).to_be_hidden()
        screenshot(owner, "desktop-library-first-sync-owner")

        for tab in (owner, friend):
            expect(tab.locator(".library-tile", has_text="Movies")).to_contain_text(
                "150 movies", timeout=30_000
            )
            expect(tab.locator(".library-tile", has_text="TV Shows")).to_contain_text("2 shows")
            expect(tab.get_by_text("first sync from Plex is running")).to_have_count(0)
            assert tab.problems.errors == [] and csp_violations(tab) == []
        assert same_document(owner), "the owner's page was reloaded"
        assert friend.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(friend, "phone-library-after-first-sync-friend")

    def test_before_any_sync_a_friend_is_told_the_owner_has_not_synced(self, open_page, sign_in):
        tab = open_page(viewport=PHONE)
        sign_in(tab, "friend")
        tab.goto("/library/")
        expect(tab.locator("#library-body")).to_have_text(
            "No libraries yet: the owner has not synced the library from Plex."
        )
        assert tab.problems.errors == []


def test_without_plex_the_owner_is_sent_to_connect_it(app, open_page, sign_in):
    """No Plex: the page names where to connect it, and does not claim it may be out of date."""
    Accounts(app, None).owner()
    tab = open_page(viewport=PHONE)
    sign_in(tab)
    tab.goto("/library/")
    body = tab.locator("#library-body")
    expect(body).to_contain_text("Connect Plex under Admin → Plex server")
    expect(body.get_by_role("link", name="Admin → Plex server")).to_have_attribute(
        "href", "/admin/plex"
    )
    expect(body).not_to_contain_text("out of date")
    assert tab.problems.errors == []


class TestAnEpisodePage:
    @pytest.fixture
    def app(self, sync_app, plex):
        plex.state.add_library("TV Shows", "show", count=1, seasons=2, episodes=3)
        with sync_app.app_context():
            assert services.full_sync()["status"] == "succeeded"
        Accounts(sync_app, None).owner()
        return sync_app

    def episode(self, app, season: int, number: int):
        with app.app_context():
            show = db.session.scalars(select(MediaItem).where(MediaItem.type == "show")).one()
            season_row = db.session.scalars(
                select(MediaItem).where(
                    MediaItem.parent_rating_key == show.rating_key, MediaItem.index == season
                )
            ).one()
            episode = db.session.scalars(
                select(MediaItem).where(
                    MediaItem.parent_rating_key == season_row.rating_key,
                    MediaItem.index == number,
                )
            ).one()
            return show.title, season_row.title, episode.title, episode.rating_key

    def test_a_phone_shows_the_show_and_episode_number_and_a_tight_breadcrumb(
        self, app, open_page, sign_in
    ):
        show, season, title, key = self.episode(app, 2, 3)
        tab = open_page(viewport=PHONE)
        sign_in(tab)
        tab.goto(f"/library/item/{key}")
        expect(tab.locator(".item-kicker")).to_have_text(f"{show} · S2E3")
        expect(tab.get_by_role("heading", level=1)).to_have_text(title)
        crumbs = tab.locator("nav.back-link li")
        expect(crumbs.last).to_have_text(season)
        boxes = [crumbs.nth(i).bounding_box() for i in range(crumbs.count())]
        lines = sorted({round(box["y"]) for box in boxes})
        # however the trail wraps, a line follows the last one closely (Pico alone left ~2 lines)
        for above, below in zip(lines, lines[1:], strict=False):
            assert below - above < 40, f"the breadcrumb's lines are {below - above} px apart"
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(tab, "phone-episode")

        tab.get_by_role("link", name=season).click()
        expect(tab.locator(".item-kicker")).to_have_text(show)
        expect(tab.get_by_role("heading", level=1)).to_have_text(season)
        assert tab.problems.errors == [] and csp_violations(tab) == []


@pytest.mark.parametrize("width", [1280, 1366, 1920])
def test_the_header_offers_only_what_exists(app, open_page, sign_in, width):
    """Every entry of the menu opens a page, and the menu fits."""
    Accounts(app, None).owner()
    tab = open_page(viewport={"width": width, "height": 800})
    sign_in(tab)
    entries = tab.locator(".nav-links > li:not(.nav-search):visible")
    expect(entries).to_have_count(7)
    shown = [entry.inner_text() for entry in entries.all()]  # what is drawn, not hidden words
    assert shown == [
        "Dashboard",
        "Library",
        "Discover",
        "Requests",
        "Downloads",
        "Uploads",
        "Admin",
    ]
    for entry in entries.all():
        expect(entry.get_by_role("link")).to_have_count(1)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tops = tab.evaluate(
        "['.nav-links', '.nav-tools']"
        ".map(s => document.querySelector(s).getBoundingClientRect().top)"
    )
    assert abs(tops[0] - tops[1]) < 8, f"the links and the tools are on two rows: {tops}"
    screenshot(tab, f"header-{width}")
