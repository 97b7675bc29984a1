"""The first ten minutes in a browser: connect Plex in one click and watch the first sync tick the
owner's next steps; press Sync now and see the libraries, counts and history change in place."""

import re

import pytest
from playwright.sync_api import expect

from app.library import services
from simulators.plex_server import PlexServerState
from tests.conftest import Accounts
from tests.e2e.conftest import (
    PHONE,
    csp_violations,
    mark_page,
    same_document,
    screenshot,
    wait_until_live,
)
from tests.integration import library_helpers
from tests.integration.dashboard_helpers import put_state

plex, sync_app = library_helpers.plex, library_helpers.sync_app
pytestmark = pytest.mark.browser


def fits(tab, width: int = PHONE["width"]) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= width


def errors(tab) -> list[str]:
    """Console errors. A finished sync pushes the library table, the history and the owner's
    next steps together; each page shows some of them, and the client drops the others quietly."""
    return tab.problems.errors


def goto_live(tab, live_server, path: str) -> None:
    """Open a page with a full load and wait until its live connection listens."""
    with tab.expect_websocket(lambda ws: ws.url.endswith("/ws")):
        tab.goto(path)
    wait_until_live(live_server)


class TestSyncNowUpdatesThePage:
    @pytest.fixture
    def app(self, sync_app, plex):
        plex.state.add_library("Movies", "movie", count=30)
        plex.state.add_library("TV Shows", "show", count=3, seasons=2, episodes=2)
        plex.state.add_library("Music", "artist", count=2, seasons=2, episodes=3)
        Accounts(sync_app, None).owner()
        return sync_app

    def test_libraries_counts_and_history_change_without_a_reload(
        self, app, worker, open_page, sign_in, live_server
    ):
        tab = open_page()
        sign_in(tab)
        goto_live(tab, live_server, "/admin/library")
        expect(tab.locator("#library-sections")).to_contain_text("No library synced yet")
        expect(tab.locator("#sync-history")).to_contain_text("No sync has run yet")
        mark_page(tab)

        tab.get_by_role("button", name="Sync now").click()
        bar = tab.locator("#sync-progress")
        expect(bar).to_contain_text("Sync finished", timeout=30_000)
        expect(bar).to_contain_text(
            "69 items added (30 movies, 3 shows, 6 seasons, 12 episodes, "
            "2 artists, 4 albums, 12 tracks)"
        )
        rows = tab.locator("#library-sections tbody tr")
        expect(rows).to_have_count(3)
        for title, label, items in [
            ("Movies", "Movies", "30 movies"),
            ("TV Shows", "TV shows", "3 shows, 6 seasons, 12 episodes"),
            ("Music", "Music", "2 artists, 4 albums, 12 tracks"),
        ]:
            row = tab.locator("#library-sections tr", has_text=title)
            expect(row.locator('[data-label="Type"]')).to_have_text(label)
            expect(row.locator('[data-label="Items"]')).to_have_text(items)
        history = tab.locator("#sync-history tbody tr")
        expect(history).to_have_count(1)
        expect(history.first).to_contain_text("Succeeded")
        expect(tab.locator("#sync-history")).not_to_contain_text("No sync has run yet")
        expect(tab.get_by_text("has started")).to_have_count(0)
        assert same_document(tab), "the page was reloaded"
        screenshot(tab, "desktop-admin-library-synced")

        tab.set_viewport_size(PHONE)
        assert fits(tab), "Admin → Library scrolls sideways on a phone"
        for cell in ("Last synced", "Duration"):
            box = tab.locator(
                f'#library-sections [data-label="{cell}"], #sync-history [data-label="{cell}"]'
            ).first.bounding_box()
            assert box and box["x"] + box["width"] <= PHONE["width"], cell
        webhook = tab.locator(".webhook-url").bounding_box()
        assert webhook["x"] + webhook["width"] <= PHONE["width"], "the webhook address runs off"
        screenshot(tab, "phone-admin-library-synced")
        assert errors(tab) == [] and csp_violations(tab) == []


class TestConnectingPlexStartsTheFirstSync:
    @pytest.fixture
    def app(self, make_app, plex_world):
        library = PlexServerState(name="Living Room")
        library.add_library("Movies", "movie", count=12)
        library.add_library("TV Shows", "show", count=2, seasons=1, episodes=3)
        plex_world.server.library = library
        plex_world.server.library_count = 2
        app = make_app(
            PLEX_TV_URL=plex_world.plextv_url,
            PLEX_APP_URL=plex_world.plextv_url,
            PLEX_TV_TIMEOUT=2.0,
        )
        Accounts(app, None).owner()
        return app

    @pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
    def test_one_click_then_the_checklist_follows_the_sync(
        self, app, worker, open_page, sign_in, live_server, plex_world, viewport
    ):
        tab = open_page(viewport=viewport) if viewport else open_page()
        name = "phone" if viewport else "desktop"
        sign_in(tab)
        checklist = tab.locator("#setup-checklist")
        expect(checklist.locator('[data-step="plex"]')).to_have_class(re.compile("todo"))
        screenshot(tab, f"{name}-dashboard-before-plex")
        if viewport:
            assert fits(tab), "the dashboard scrolls sideways"

        assert errors(tab) == []
        checklist.get_by_role("button", name="Connect Plex").click()
        tab.wait_for_url(plex_world.plextv_url + "/auth**")
        tab.locator('button[data-account="owner"]').click()
        tab.wait_for_url(live_server.url + "/admin/plex/servers")
        tab.problems.errors.clear()  # the simulated plex.tv page has no icon: its 404
        tab.get_by_role("button", name="Use this server").click()
        tab.wait_for_url(live_server.url + "/")
        expect(tab.locator(".flash-success")).to_contain_text("Connected to Living Room")
        expect(checklist.locator('[data-step="plex"]')).to_have_class(re.compile("done"))

        library_step = checklist.locator('[data-step="library"]')
        expect(library_step).to_have_class(re.compile("done"), timeout=30_000)
        expect(library_step).to_contain_text("2 libraries synced")
        for step in ("people", "address", "webhook"):
            expect(checklist.locator(f'[data-step="{step}"]')).to_have_class(re.compile("todo"))
        expect(checklist.locator(".share-address")).to_have_value(live_server.url + "/")
        expect(checklist.get_by_role("link", name="invite people")).to_have_attribute(
            "href", "/admin/users"
        )
        webhook_link = checklist.get_by_role("link", name="the webhook address")
        expect(webhook_link).to_have_attribute("href", "/admin/library#plex-webhook")
        screenshot(tab, f"{name}-dashboard-after-first-sync")
        if viewport:
            assert fits(tab), "the dashboard scrolls sideways"

        tab.get_by_role("link", name="Browse the library").first.click()
        expect(tab.get_by_text("Movies").first).to_be_visible()
        expect(tab.get_by_text("Connect Plex and sync it")).to_have_count(0)
        assert errors(tab) == [] and csp_violations(tab) == []


class TestTheDashboard:
    @pytest.fixture
    def app(self, sync_app, plex):
        plex.state.add_library("Movies", "movie", count=40)
        with sync_app.app_context():
            assert services.full_sync()["status"] == "succeeded"
        put_state(sync_app, "plex", "plex", "Living Room", public=True, info={"version": "1.41.3"})
        accounts = Accounts(sync_app, None)
        accounts.owner()
        accounts.create("friend")
        return sync_app

    def test_the_service_cards_span_the_row_and_recently_added_has_arrows(self, open_page, sign_in):
        tab = open_page()
        sign_in(tab)
        main = tab.locator("main").bounding_box()
        cards = tab.locator("#service-cards").bounding_box()
        assert cards["width"] > main["width"] * 0.85, "the service cards sit at half width"
        row = tab.locator(".poster-row")
        forward = tab.get_by_role("button", name="Scroll recently added on")
        back = tab.get_by_role("button", name="Scroll recently added back")
        expect(forward).to_be_visible()
        expect(back).to_be_disabled()
        forward.click()
        expect(back).to_be_enabled()
        assert row.evaluate("row => row.scrollLeft") > 0
        screenshot(tab, "desktop-dashboard-owner")
        assert errors(tab) == [] and csp_violations(tab) == []

    def test_a_friend_sees_whether_plex_is_up_and_no_internals(self, open_page, sign_in):
        tab = open_page(viewport=PHONE)
        sign_in(tab, "friend")
        card = tab.locator("#service-plex")
        expect(card.get_by_role("heading")).to_have_text("Living Room")
        expect(card.locator(".badge")).to_have_text("Up")
        medianest = tab.locator("#service-medianest")
        for internal in ("Database", "Redis", "Workers", "Queue"):
            expect(medianest).not_to_contain_text(internal)
        expect(tab.locator("#setup-checklist")).to_have_count(0)
        assert fits(tab)
        screenshot(tab, "phone-dashboard-friend")
        assert errors(tab) == [] and csp_violations(tab) == []
