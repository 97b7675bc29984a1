"""A first visit's small things: the setup page once done, and where the sign-in form focuses."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_setup_once_done_sends_a_visitor_to_sign_in_then_to_the_dashboard(
    auth, open_page, sign_in, live_server
):
    auth.owner()
    tab = open_page()
    tab.goto("/setup")
    tab.wait_for_url(re.compile(r"/login$"))
    expect(tab.get_by_role("status")).to_have_text(
        "MediaNest is already set up. Sign in to carry on."
    )

    sign_in(tab)
    tab.goto("/setup")
    tab.wait_for_url(live_server.url + "/")
    expect(tab.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert tab.problems.errors == []


def test_sign_in_focuses_the_first_empty_field_and_renders_no_stray_values(auth, open_page):
    auth.owner()
    tab = open_page()
    tab.goto("/login")
    username, password = tab.get_by_label("Username"), tab.get_by_label("Password", exact=True)
    expect(username).to_be_focused()
    expect(username).to_have_attribute("autofocus", "")
    assert password.get_attribute("autofocus") is None
    html = tab.locator("form").last.inner_html()
    assert '="None"' not in html, html

    username.fill("owner")
    password.fill("not the password")
    tab.get_by_role("button", name="Sign in", exact=True).click()
    expect(tab.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(password).to_be_focused()
    expect(password).to_have_attribute("autofocus", "")
    assert username.get_attribute("autofocus") is None
    assert '="None"' not in tab.locator("form").last.inner_html()
    assert 'autofocus="owner"' not in tab.content()
