"""The admin's library page in a browser: a library deleted from Plex, a new webhook address."""

import json

import pytest
from playwright.sync_api import expect

from app.library import services
from tests.conftest import Accounts
from tests.e2e.conftest import csp_violations
from tests.integration import library_helpers

plex, sync_app = library_helpers.plex, library_helpers.sync_app
NEW_ITEM = {"event": "library.new", "Metadata": {"librarySectionID": 1}}


@pytest.fixture
def app(sync_app, plex):
    """Movies and TV Shows synced, then TV Shows deleted from Plex and synced again."""
    plex.state.add_library("Movies", "movie", count=8)
    plex.state.add_library("TV Shows", "show", count=2, seasons=1, episodes=2)
    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        plex.state.libraries.pop("2")
        assert services.full_sync()["libraries_removed"] == 1
    Accounts(sync_app, None).owner()
    return sync_app


def webhook_status(app, path: str) -> int:
    return app.test_client().post(path, data={"payload": json.dumps(NEW_ITEM)}).status_code


@pytest.mark.browser
def test_removed_library_and_a_new_webhook_address(app, open_page, sign_in):
    tab = open_page()
    sign_in(tab)
    tab.goto("/admin/library")
    removed = tab.locator("tr", has_text="TV Shows")
    expect(removed.locator(".badge")).to_have_text("Removed from Plex")
    expect(removed.get_by_role("button")).to_have_count(0)
    expect(tab.locator("tr", has_text="Movies").get_by_role("button", name="Hide")).to_be_visible()
    expect(tab.locator(".sync-history")).to_contain_text("1 library gone from Plex")

    old = tab.locator(".webhook-url").inner_text()
    old_path = old[old.index("/webhooks/") :]
    assert webhook_status(app, old_path) == 202

    tab.get_by_role("button", name="New webhook address…").click()
    expect(tab.get_by_role("heading", name="Give the Plex webhook a new address?")).to_be_visible()
    tab.get_by_role("button", name="Cancel").click()
    expect(tab.locator(".webhook-url")).to_have_text(old)

    tab.get_by_role("button", name="New webhook address…").click()
    tab.get_by_role("button", name="Make a new address").click()
    expect(tab.get_by_text("The webhook has a new address")).to_be_visible()
    new = tab.locator(".webhook-url").inner_text()
    assert new != old and new.startswith(old[: old.index("/webhooks/")])
    assert webhook_status(app, old_path) == 404
    assert webhook_status(app, new[new.index("/webhooks/") :]) == 202
    assert tab.problems.errors == [] and csp_violations(tab) == []
