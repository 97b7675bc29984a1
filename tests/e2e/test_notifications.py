"""Notifications arrive live, and reading them updates the list and the bell."""

import re

import pytest
from playwright.sync_api import expect

from app.notifications.services import notify
from tests.e2e.conftest import mark_page, same_document

pytestmark = pytest.mark.browser


def test_a_new_notification_pops_up_and_counts_on_the_bell(app, auth, page, sign_in):
    owner_id = auth.owner()
    sign_in(page)
    bell_count = page.locator("#bell .bell-count")
    expect(bell_count).to_have_count(0)
    mark_page(page)

    with app.app_context():
        notify([owner_id], "Dune is ready", "Part Two is in the library.", level="success")

    toast = page.locator("#toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Dune is ready")
    expect(toast).to_contain_text("Part Two is in the library.")
    expect(bell_count).to_have_text("1")
    expect(page.locator("#bell")).to_have_attribute("aria-label", "Notifications: 1 unread")

    with app.app_context():
        notify([owner_id], "Download failed", "The source went away.", level="error")
    expect(toast).to_have_count(2)
    expect(bell_count).to_have_text("2")

    toast.first.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(1)
    assert same_document(page), "the page reloaded to show the notification"


def test_reading_notifications_updates_the_list_and_the_bell(app, auth, page, sign_in):
    owner_id = auth.owner()
    other_id = auth.create("guest")
    with app.app_context():
        for title in ("First", "Second", "Third"):
            notify([owner_id], title, f"{title} body")
        notify([other_id], "Not yours")
    sign_in(page)

    bell_count = page.locator("#bell .bell-count")
    expect(bell_count).to_have_text("3")
    page.locator("#bell").click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    mark_page(page)

    items = page.locator("#notification-list .notification")
    expect(items).to_have_count(3)
    expect(items).to_have_text([re.compile("Third"), re.compile("Second"), re.compile("First")])
    expect(page.locator("#notification-list")).not_to_contain_text("Not yours")
    expect(page.locator(".notification.unread")).to_have_count(3)

    second = items.filter(has_text="Second")
    second.get_by_role("button", name="Mark read").click()
    expect(second).to_have_class(re.compile(r"\bread\b"))
    expect(second.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(page.locator(".notification.unread")).to_have_count(2)
    expect(bell_count).to_have_text("2")

    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(page.locator(".notification.read")).to_have_count(3)
    expect(page.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(bell_count).to_have_count(0)
    assert same_document(page)

    page.reload()
    expect(page.locator(".notification.read")).to_have_count(3)
    expect(bell_count).to_have_count(0)
