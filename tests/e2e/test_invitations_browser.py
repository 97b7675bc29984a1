"""Invitations and approvals in a real browser, on a desktop and a phone."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import User
from tests.conftest import Accounts
from tests.e2e.conftest import PHONE, csp_violations, screenshot
from tests.integration.plex_helpers import plex_round_trip

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def app(plex_app):
    """The owner already connected the simulated Plex server ("Living Room")."""
    return plex_app


def shoot(tab, name: str) -> None:
    """Keep a full-page picture to look at, and check the page fits its width."""
    width = tab.viewport_size["width"]
    screenshot(tab, f"{name}-{width}")
    scroll = tab.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll})"


def clean(tab, *statuses: int) -> None:
    """No script errors; pages answered with these statuses on purpose are fine."""
    errors = [e for e in tab.problems.errors if not any(f"status of {s} " in e for s in statuses)]
    assert errors == [] and csp_violations(tab) == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["desktop", "phone"])
def test_an_invited_person_joins_with_a_password(open_page, sign_in, live_server, viewport):
    admin = open_page(viewport=viewport)
    sign_in(admin)
    admin.goto("/admin/users")
    shoot(admin, "people")
    admin.get_by_role("button", name="Invite someone").click()
    expect(admin.get_by_role("heading", name="Invitations", exact=True)).to_be_visible()
    admin.get_by_label("Who it is for").fill("Grandma")
    admin.get_by_label("The link works for").select_option("30")
    shoot(admin, "invites-empty")
    admin.get_by_role("button", name="Create invitation link").click()
    link_field = admin.get_by_label("Link")
    expect(link_field).to_have_value(re.compile(r"/invite/[\w-]{40,}$"))
    shoot(admin, "invite-created")
    admin.get_by_role("button", name="Copy link").click()
    link = link_field.input_value()
    clean(admin)

    guest = open_page(viewport=viewport)  # a second browser, as the invited person
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Join Living Room")).to_be_visible()
    expect(guest.locator("#invite")).to_contain_text("owner invited you")
    expect(guest.get_by_role("button", name="Join with Plex")).to_be_visible()
    shoot(guest, "invite-accept")
    guest.get_by_label("Username").fill("gran")
    guest.get_by_label("Password", exact=True).fill("short")
    guest.get_by_label("Confirm password").fill("short")
    guest.get_by_role("button", name="Create my account").click()
    expect(guest.locator(".field-error")).to_contain_text("at least 10 characters")
    shoot(guest, "invite-accept-error")
    guest.get_by_label("Password", exact=True).fill("knitting needles")
    guest.get_by_label("Confirm password").fill("knitting needles")
    with guest.expect_websocket(lambda ws: ws.url.endswith("/ws")):
        guest.get_by_role("button", name="Create my account").click()
    guest.wait_for_url(live_server.url + "/")
    expect(guest.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(guest.locator("nav .account-name")).to_have_text("gran")
    expect(guest.locator("body")).to_contain_text("Welcome, gran")
    clean(guest, 400)

    again = open_page(viewport=viewport)
    again.goto(link)
    expect(again.get_by_role("heading")).to_contain_text("already used")
    shoot(again, "invite-used")

    admin.goto("/admin/users/invites")
    row = admin.locator("tr", has_text="Grandma")
    expect(row).to_contain_text("Used by gran")
    # a used invitation has nothing left to do: no empty actions line under it on a phone
    cell = row.locator(".actions-cell")
    if viewport == PHONE:
        expect(cell).to_be_hidden()
    else:
        expect(cell).to_be_attached()
    shoot(admin, "invites-list")
    admin.goto("/admin/audit")
    expect(admin.locator("#audit-log")).to_contain_text(
        "gran joined with an invitation from owner."
    )
    shoot(admin, "audit")
    clean(admin)


def test_approving_marks_the_waiting_notice_done_for_every_admin(
    app, open_page, sign_in, live_server, plex_world
):
    Accounts(app, None).create("ada", role="admin")
    with app.app_context():
        settings.put({"signup.approval_required": True})
    owner = open_page(viewport=WIDE)
    sign_in(owner)
    ada = open_page(viewport=PHONE)
    sign_in(ada, "ada")

    plex_round_trip(app.test_client(), plex_world, plex_world.friend)  # friend now waits
    with app.app_context():
        friend_id = db.session.scalars(select(User.id).where(User.username == "friend")).one()
    for tab in (owner, ada):
        expect(tab.locator("#bell .bell-count")).to_have_text("1")

    ada.locator("#bell").click()
    notice = ada.locator(".notification", has_text="friend is waiting for approval")
    expect(notice).to_have_class(re.compile(r"\bunread\b"))
    shoot(ada, "notification-waiting")
    notice.get_by_role("link", name="Open").click()
    ada.wait_for_url(f"{live_server.url}/admin/users/{friend_id}")
    shoot(ada, "person-waiting")
    ada.get_by_role("button", name="Approve").click()
    expect(ada.locator("body")).to_contain_text("friend can now sign in")

    # The owner's open page hears it at once: nothing left to do.
    expect(owner.locator("#bell .bell-count")).to_have_count(0)
    expect(ada.locator("#bell .bell-count")).to_have_count(0)
    owner.goto("/notifications/")
    expect(owner.locator(".notification", has_text="waiting for approval")).to_have_class(
        re.compile(r"\bread\b")
    )
    shoot(owner, "notification-done")
    clean(owner)
    clean(ada)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["desktop", "phone"])
def test_a_refused_person_is_told_the_server_and_whom_to_ask(
    open_page, live_server, plex_world, viewport
):
    tab = open_page(viewport=viewport)
    tab.goto("/login")
    tab.get_by_role("button", name="Sign in with Plex").click()
    tab.locator('button[data-account="stranger"]').click()
    tab.wait_for_url(live_server.url + "/login/plex/callback")
    refusal = tab.locator("#plex-refused")
    expect(refusal).to_contain_text("can't use Living Room")
    expect(refusal).to_contain_text("ask owner, who runs this server, to share Living Room")
    shoot(tab, "plex-refused")
    clean(tab, 403, 404)  # the refusal itself, and the Plex simulator's missing favicon
