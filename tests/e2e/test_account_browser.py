"""The account page: where a person is signed in, and signing a lost device out from another."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser


def test_signing_out_the_other_device_from_the_account_page(auth, open_page, sign_in):
    auth.owner()
    auth.create("ada")
    laptop = open_page()
    sign_in(laptop, "ada")
    phone = open_page(viewport=PHONE)
    sign_in(phone, "ada")

    phone.locator("details.account-menu summary").click()
    phone.get_by_role("link", name="Your account").click()
    expect(phone.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    rows = phone.locator(".session-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This device")).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the account page scrolls sideways ({width}px)"
    phone.screenshot(path="/tmp/account-phone.png", full_page=True)

    rows.filter(has_not_text="This device").get_by_role("button", name="Sign out").click()
    expect(phone.get_by_text("That device is signed out.")).to_be_visible()
    expect(phone.locator(".session-row")).to_have_count(1)

    laptop.reload()
    assert "/login" in laptop.url, "the laptop's session ended on the server"
    assert not phone.problems.errors and not laptop.problems.errors
