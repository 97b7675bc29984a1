"""The path every owner walks: set up, sign out and in, check the system, sign out."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import mark_page, same_document, wait_until_live

pytestmark = pytest.mark.browser


def sign_out(tab):
    tab.locator("details.dropdown summary").click()
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url(re.compile(r"/login$"))
    expect(tab.get_by_role("status").filter(has_text="You are signed out.")).to_be_visible()


def test_setup_sign_in_check_and_sign_out(page, live_server, worker):
    page.goto("/")
    page.wait_for_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", name="Welcome to MediaNest")).to_be_visible()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create owner account").click()

    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_text("Welcome, ada. MediaNest is ready.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    sign_out(page)

    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_text("Hello, ada.")).to_be_visible()
    wait_until_live(live_server)

    card = page.locator("#service-medianest")
    state = card.locator(".badge")
    expect(state).to_have_text("Not checked yet")
    mark_page(page)
    card.get_by_role("button", name="Check now").click()

    expect(state).to_have_text("Checking…")
    # The worker runs the check; the card stops waiting and shows what it found.
    expect(state).not_to_have_text("Checking…", timeout=20_000)
    expect(card.get_by_role("button", name="Check now")).to_be_enabled()
    assert same_document(page), "the page reloaded instead of updating in place"
    assert page.url == live_server.url + "/"

    sign_out(page)
    page.goto("/notifications/")
    page.wait_for_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("Please sign in to continue.")).to_be_visible()
    page.goto("/")
    page.wait_for_url(re.compile(r"/login\?next="))
