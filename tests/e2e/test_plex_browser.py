"""Signing in with Plex in a real browser, through the simulated app.plex.tv page."""

import pytest

from tests.e2e.conftest import wait_until_live


@pytest.fixture
def app(plex_app):
    """The live server runs an app whose owner already connected the simulated server."""
    return plex_app


@pytest.mark.browser
def test_a_friend_signs_in_with_plex(page, live_server, plex_world):
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Plex").click()
    page.wait_for_url(plex_world.plextv_url + "/auth**")
    assert "MediaNest" in page.locator("#product").inner_text()
    page.locator('button[data-account="friend"]').click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.locator("nav .account-name").inner_text().strip() == "friend"
    wait_until_live(live_server)


@pytest.mark.browser
def test_someone_the_server_is_not_shared_with_is_told_why(page, live_server, plex_world):
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Plex").click()
    page.locator('button[data-account="stranger"]').click()
    page.wait_for_url(live_server.url + "/login/plex/callback")
    refusal = page.locator("#plex-refused")
    assert "can't use Living Room" in refusal.inner_text()
    assert "stranger" in refusal.inner_text()
    page.goto("/")
    assert page.url.startswith(live_server.url + "/login")


@pytest.mark.browser
def test_cancelling_on_plex_offers_to_try_again(page, live_server, plex_world):
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Plex").click()
    page.locator("#cancel").click()
    page.wait_for_url(live_server.url + "/login/plex/callback")
    assert "has not confirmed" in page.locator("main").inner_text()
    page.get_by_role("button", name="Try again").click()
    page.wait_for_url(plex_world.plextv_url + "/auth**")
