"""The notifications page in a browser: filter by kind and unread without a reload, page on
with the filter kept, mark all read, and all of it fitting a 390 px phone."""

import re

import pytest
from playwright.sync_api import expect

from app.notifications.services import PER_PAGE
from app.notify.outbox import emit
from tests.e2e.conftest import PHONE, mark_page, same_document

pytestmark = pytest.mark.browser


def test_filters_paging_and_mark_all_read(app, auth, open_page, sign_in):
    owner = auth.owner()
    with app.app_context():
        emit("request.approved", "Request approved: Dune", user_ids=[owner])
        emit("service.down", "Plex is down: timed out")
        for n in range(PER_PAGE + 1):
            emit("download.finished", f"Downloaded: Clip {n}", user_ids=[owner])
    tab = open_page(viewport=PHONE)
    sign_in(tab)
    tab.goto("/notifications/")
    mark_page(tab)
    items = tab.locator("#notification-list .notification")
    expect(items).to_have_count(PER_PAGE)

    tab.get_by_label("Kind").select_option("requests")
    expect(items).to_have_count(1)
    expect(items).to_contain_text(["Request approved: Dune"])
    tab.wait_for_url(re.compile(r"kind=requests"))

    tab.get_by_label("Kind").select_option("downloads")
    expect(items).to_have_count(PER_PAGE)
    tab.get_by_role("link", name="Older ›").click()
    tab.wait_for_url(re.compile(r"kind=downloads.*page=2"))
    expect(items).to_have_count(1)
    expect(items).to_contain_text(["Downloaded: Clip 0"])
    expect(tab.get_by_label("Kind")).to_have_value("downloads")

    tab.get_by_label("Kind").select_option("")
    tab.get_by_label("Unread only").check()
    expect(tab.locator(".notification.unread")).to_have_count(PER_PAGE)
    tab.get_by_role("button", name="Mark all read").click()
    expect(tab.locator("#notification-list")).to_contain_text("You are all caught up.")
    expect(tab.locator("#bell .bell-count")).to_have_count(0)
    assert same_document(tab)

    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
    tab.get_by_label("Unread only").uncheck()
    expect(tab.locator(".notification.read")).to_have_count(PER_PAGE)
    assert not tab.problems.errors
