"""The main pages load without script errors or Content-Security-Policy violations."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.notifications.services import notify
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations
from tests.integration.dashboard_helpers import world

pytestmark = pytest.mark.browser

SIGNED_IN_PAGES = [
    ("/", "Dashboard"),
    ("/notifications/", "Notifications"),
    ("/admin/health", "System health"),
    ("/admin/plex", "Plex server"),
    ("/admin/users", "People"),
    ("/admin/users/invites", "Invitations"),
    ("/admin/signup", "Sign-ups"),
    ("/admin/oidc", "Single sign-on"),
    ("/admin/audit", "Audit log"),
    ("/account/password", "Change password"),
    ("/nope", "Not found"),
]


def assert_clean(tab, where: str) -> None:
    errors = tab.problems.errors
    if where == "/nope":  # the browser logs the page's own 404 status; that one is expected
        errors = [e for e in errors if "status of 404" not in e]
    assert errors == [], f"{where}: {errors}"
    tab.problems.errors.clear()
    assert csp_violations(tab) == [], f"{where}: {csp_violations(tab)}"


def test_main_pages_have_no_errors(app, open_page):
    tab = open_page()
    tab.goto("/setup")
    assert_clean(tab, "/setup")
    tab.get_by_label("Username").fill("ada")
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_label("Confirm password").fill(PASSWORD)
    tab.get_by_role("button", name="Create owner account").click()
    tab.wait_for_url(re.compile(r"/$"))

    world(app)
    with app.app_context():
        owner_id = db.session.scalar(select(User.id))
        notify([owner_id], "Something happened", "A body for it.", link="/admin/health")

    for path, heading in SIGNED_IN_PAGES:
        tab.goto(path)
        expect(tab.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_clean(tab, path)

    # An htmx swap (and the toast an htmx error shows) must not trip the policy either.
    tab.goto("/")
    tab.get_by_role("button", name="Check now").click()
    expect(tab.locator("#service-medianest .badge")).to_have_text("Checking…")
    tab.get_by_role("link", name="Admin").click()
    expect(tab.get_by_role("heading", name="System health")).to_be_visible()
    assert_clean(tab, "after htmx navigation")

    tab.locator("details.dropdown summary").click()
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url(re.compile(r"/login$"))
    assert_clean(tab, "/login")
