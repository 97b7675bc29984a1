"""Demo mode says which demo accounts exist, they do what it says, and Play on Plex lands."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import Accounts, LiveServer
from tests.e2e import demo_helpers
from tests.e2e.conftest import PHONE, csp_violations
from tests.e2e.demo_helpers import demo_app

demo_plex = demo_helpers.demo_plex

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app, demo_plex):
    app = demo_app(make_app, demo_plex)
    Accounts(app, None).owner()
    return app


def demo_note(tab):
    return tab.locator("section.demo-note")


def test_the_sign_in_page_lists_every_demo_account_and_what_it_shows(app, demo_plex, open_page):
    tab = open_page(viewport=PHONE)
    tab.goto("/login")
    note = demo_note(tab)
    expect(note.get_by_role("heading", name="Demo mode")).to_be_visible()
    names = {
        name.strip()
        for listed in note.locator("dt").all_inner_texts()
        for name in listed.split(",")
    }
    assert names == {account.username for account in demo_plex.state.accounts.values()}

    def says(name: str) -> str:
        return note.locator("dt", has_text=name).locator("xpath=following-sibling::dd[1]")

    expect(says("owner")).to_contain_text("MediaNest's owner")
    expect(says("alice")).to_contain_text("shared with")
    expect(says("carol")).to_contain_text("isn't shared with her")
    expect(says("kid")).to_contain_text("managed user")
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert tab.problems.errors == [] and csp_violations(tab) == []


def test_outside_demo_mode_the_sign_in_page_says_nothing_of_it(make_app, demo_plex, browser):
    app = demo_app(make_app, demo_plex, demo=False, synced=False)
    Accounts(app, None).owner()
    server = LiveServer(app).start()
    context = browser.new_context(base_url=server.url)
    try:
        tab = context.new_page()
        tab.goto("/login")
        expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(tab.get_by_role("button", name="Sign in with Plex")).to_be_visible()
        expect(demo_note(tab)).to_have_count(0)
        expect(tab.get_by_text("Demo mode")).to_have_count(0)
    finally:
        context.close()
        server.stop()


def sign_in_with_plex(tab, account: str) -> None:
    tab.goto("/login")
    tab.get_by_role("button", name="Sign in with Plex").click()
    tab.get_by_role("heading", name="Sign in to Plex").wait_for()
    tab.get_by_role("button", name=f"Continue as {account}").click()


def test_the_demo_accounts_do_what_the_note_says(open_page, live_server):
    alice = open_page()
    sign_in_with_plex(alice, "alice")
    alice.wait_for_url(live_server.url + "/")
    expect(alice.get_by_text("Hello, alice.")).to_be_visible()
    expect(alice.get_by_role("link", name="Admin", exact=True)).to_have_count(0)

    carol = open_page()
    sign_in_with_plex(carol, "carol")
    carol.wait_for_url(re.compile(r"/login/plex/callback"))
    expect(carol.get_by_role("heading", level=1)).to_have_text(
        "This Plex account can't use Living Room"
    )

    # Plex offers no sign-in to a managed Home user: the simulated Plex page has no button for kid.
    kid = open_page()
    kid.goto("/login")
    kid.get_by_role("button", name="Sign in with Plex").click()
    kid.get_by_role("heading", name="Sign in to Plex").wait_for()
    expect(kid.get_by_role("button", name="Continue as owner")).to_be_visible()
    expect(kid.get_by_role("button", name=re.compile("kid"))).to_have_count(0)


def test_importing_plex_users_in_demo_mode_skips_kid_and_says_why(app, open_page, sign_in):
    tab = open_page()
    sign_in(tab)
    tab.goto("/admin/users")
    tab.get_by_role("button", name="Import Plex users").click()
    flash = tab.locator(".flash")
    expect(flash).to_contain_text("alice, bob")
    expect(flash).to_contain_text("Skipped 1 person in your Plex Home without a Plex sign-in.")


def test_play_on_plex_opens_the_demo_plex_web_page(app, open_page, sign_in):
    tab = open_page()
    sign_in(tab)
    tab.goto("/library/1")
    first = tab.locator(".poster-card a").first
    title = first.locator(".poster-title").inner_text()
    first.click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(title)

    with tab.context.expect_page() as opened:
        tab.get_by_role("button", name="Play on Plex").click()
    plex_web = opened.value
    plex_web.problems = []
    plex_web.on("console", lambda m: m.type == "error" and plex_web.problems.append(m.text))
    plex_web.wait_for_load_state()
    expect(plex_web.get_by_role("heading", level=1)).to_have_text("This is the demo's Plex Web")
    expect(plex_web.locator("#asked")).to_contain_text(f"\u201c{title}\u201d")
    expect(plex_web.locator("#asked")).to_contain_text("\u201cLiving Room\u201d")
    expect(
        plex_web.get_by_text("In a real install, Play on Plex opens the item here")
    ).to_be_visible()
    assert plex_web.problems == []


def test_setup_in_demo_mode_says_how_to_connect_the_demo_plex(make_app):
    for demo in (True, False):
        page = make_app(DEMO=demo).test_client().get("/setup").get_data(as_text=True)
        assert ("Demo mode:" in page) is demo
        assert ("as the simulated Plex account <code>owner</code>" in page) is demo
