"""Mistakes in forms are explained where the person is looking."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_setup_shows_mismatched_passwords_beside_the_confirm_field(page):
    page.goto("/setup")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD + "!")
    page.get_by_role("button", name="Create owner account").click()

    confirm = page.get_by_label("Confirm password")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    message = page.locator("#confirm-error")
    expect(message).to_have_text("The passwords differ.")
    expect(confirm).to_have_attribute("aria-describedby", "confirm-error")
    # Beside the field: directly below the input, not somewhere else on the page.
    field_box, message_box = confirm.bounding_box(), message.bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 40
    # The other fields are fine and say nothing; the username is kept.
    expect(page.get_by_label("Username")).to_have_value("ada")
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.get_by_label("Password", exact=True)).not_to_have_attribute("aria-invalid", "true")


def test_short_password_is_explained_at_setup(page):
    page.goto("/setup")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("short")
    page.get_by_role("button", name="Create owner account").click()
    expect(page.locator("#password-error")).to_contain_text("at least 10 characters")
    expect(page).to_have_url(re.compile(r"/setup$"))


def test_wrong_password_at_sign_in_says_so(auth, page):
    auth.owner()
    page.goto("/login")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Username")).to_have_value("owner")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_empty_sign_in_asks_for_both_fields(auth, page):
    auth.owner()
    page.goto("/login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#username-error")).to_have_text("Enter your username.")
    expect(page.locator("#password-error")).to_have_text("Enter your password.")
