"""Single sign-on in a real browser: the simulated provider's page, and the admin page."""

import pytest
from playwright.sync_api import expect

from app import settings
from simulators import SimulatorServer
from simulators.oidc import OidcProvider, create_app
from tests.conftest import Accounts
from tests.e2e.conftest import csp_violations, wait_until_live

pytestmark = pytest.mark.browser

SECRET = "browser-s3cret-77"


@pytest.fixture
def provider(app, live_server):
    """A provider registered with the live server's callback address; the owner exists."""
    state = OidcProvider()
    state.add_client("medianest", SECRET, [live_server.url + "/login/oidc/callback"])
    state.add_user("alice", email="alice@example.com", groups=["friends"])
    Accounts(app, None).owner()
    with SimulatorServer(create_app(state)) as server:
        yield server


@pytest.fixture
def idp(app, provider):
    """The provider, switched on in MediaNest's settings."""
    with app.app_context():
        settings.put(
            {
                "oidc.enabled": True,
                "oidc.issuer": provider.url,
                "oidc.client_id": "medianest",
                "oidc.client_secret": SECRET,
                "oidc.label": "Sign in with Test SSO",
            }
        )
    return provider


def test_a_person_signs_in_with_the_provider(page, live_server, idp):
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Test SSO").click()
    page.wait_for_url(idp.url + "/authorize?**")
    page.get_by_role("button", name="Sign in as alice").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_label("Account: alice")).to_be_visible()
    wait_until_live(live_server)


def test_cancelling_at_the_provider_offers_to_try_again(page, live_server, idp):
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Test SSO").click()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(live_server.url + "/login/oidc/callback?**")
    expect(page.get_by_role("alert")).to_contain_text("did not sign you in")
    page.get_by_role("button", name="Try again").click()
    page.wait_for_url(idp.url + "/authorize?**")


def test_the_owner_switches_single_sign_on_on(open_page, sign_in, live_server, provider):
    tab = open_page()
    sign_in(tab)
    tab.goto("/admin/oidc")
    expect(tab.get_by_label("Redirect URI")).to_have_value(live_server.url + "/login/oidc/callback")
    tab.get_by_label("Offer sign-in with this provider").check()
    tab.get_by_label("Issuer URL").fill("http://auth.example.com")
    tab.get_by_label("Client ID").fill("medianest")
    tab.get_by_label("Client secret").fill(SECRET)
    tab.get_by_label("Button label").fill("Sign in with Test SSO")
    tab.get_by_role("button", name="Save").click()
    expect(tab.locator("#issuer-error")).to_contain_text("must use https://")
    tab.problems.errors.clear()  # the browser logs the refused save's 400; that one is expected
    tab.get_by_label("Issuer URL").fill(provider.url)
    tab.get_by_label("Client secret").fill(SECRET)
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("status")).to_contain_text("Saved.")
    expect(tab.locator("#oidc-settings .badge-ok")).to_have_text("On")
    assert SECRET not in tab.content()
    assert tab.problems.errors == [] and csp_violations(tab) == []
