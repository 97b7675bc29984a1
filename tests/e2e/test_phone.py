"""On a phone the navigation works and nothing needs sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from app.notifications.services import notify
from app.ops.services import collect_status, record_check
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser


def fits_the_screen(tab) -> bool:
    width = tab.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def within_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_phone_navigation_reaches_every_page(app, auth, open_page, sign_in, live_server):
    owner_id = auth.owner()
    with app.app_context():
        record_check(collect_status())
        notify([owner_id], "A title long enough to need wrapping on a narrow phone screen", "Body")
    tab = open_page(viewport=PHONE)
    sign_in(tab)

    card = tab.locator("#status-card")
    expect(card.locator(".component")).to_have_count(5)
    assert within_screen(card), "the status card is wider than the screen"
    assert fits_the_screen(tab), "the dashboard scrolls sideways"

    header = tab.locator(".site-header")
    for name in ("Dashboard", "Admin"):
        assert within_screen(header.get_by_role("link", name=name, exact=True)), name
    assert within_screen(tab.locator("#bell"))
    assert within_screen(tab.locator("details.dropdown summary"))

    header.get_by_role("link", name="Admin", exact=True).click()
    expect(tab.get_by_role("heading", name="System health")).to_be_visible()
    assert fits_the_screen(tab), "the health page scrolls sideways"

    tab.locator("#bell").click()
    tab.wait_for_url(re.compile(r"/notifications/$"))
    expect(tab.locator(".notification")).to_have_count(1)
    assert within_screen(tab.get_by_role("button", name="Mark read"))
    assert fits_the_screen(tab), "the notifications page scrolls sideways"

    header.get_by_role("link", name="Dashboard", exact=True).click()
    expect(tab.get_by_role("heading", name="Dashboard")).to_be_visible()

    tab.locator("details.dropdown summary").click()
    change = tab.get_by_role("link", name="Change password")
    expect(change).to_be_visible()
    assert within_screen(change)
    change.click()
    expect(tab.get_by_role("heading", name="Change password")).to_be_visible()
    assert fits_the_screen(tab)

    tab.locator("details.dropdown summary").click()
    sign_out = tab.get_by_role("button", name="Sign out")
    assert within_screen(sign_out)
    sign_out.click()
    tab.wait_for_url(re.compile(r"/login$"))
    assert fits_the_screen(tab), "the sign-in page scrolls sideways"
