"""Plex goes down on its simulator: the open Status page turns red live, the admin hears once,
Plex comes back, and the incident is on the page with how long it lasted."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.ops.tasks import run_system_check
from tests.e2e.conftest import (
    PHONE,
    csp_violations,
    mark_page,
    same_document,
    screenshot,
    wait_until_tab_live,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(plex_app):
    return plex_app


def check(app) -> dict:
    with app.app_context():
        return run_system_check()


def titles(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Notification.title).order_by(Notification.id)).all()


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_plex_down_and_back_live_on_status_with_one_message_each_way(
    app, worker, open_page, sign_in, plex_world
):
    # The job runs here, directly; the worker is there so that MediaNest itself is healthy.
    check(app)
    tab = open_page()
    sign_in(tab)
    tab.goto("/status")
    wait_until_tab_live(tab)
    plex = tab.locator("#status-live-plex")
    expect(plex.locator(".badge")).to_have_text("Up")
    expect(tab.locator("#status-medianest .badge")).to_have_text("Up")
    mark_page(tab)
    # The dashboard open beside it: Plex's card turns with the Status page.
    dashboard = open_page(viewport=PHONE)
    sign_in(dashboard)
    card = dashboard.locator("#service-plex")
    expect(card).to_have_attribute("data-state", "up")

    plex_world.server.down = True
    check(app)
    expect(plex.locator(".badge")).to_have_text("Checking again")
    assert titles(app) == [], "one failed check tells nobody"
    check(app)
    expect(plex.locator(".badge")).to_have_text("Down")
    expect(plex.locator(".status-why")).not_to_be_empty()
    expect(card).to_have_attribute("data-state", "down")
    bell = tab.locator("#bell .bell-count")
    expect(bell).to_have_text("1")
    check(app)  # still down: no second message
    [down] = titles(app)
    assert down.startswith("Plex is down: ")

    plex_world.server.down = False
    check(app)
    expect(plex.locator(".badge")).to_have_text("Up")
    expect(card).to_have_attribute("data-state", "up")
    expect(bell).to_have_text("2")
    assert re.fullmatch(r"Plex is back after \d+ s", titles(app)[1])
    assert len(titles(app)) == 2
    assert same_document(tab), "the page changed without a reload"

    tab.reload()
    row = tab.locator(".status-incident-table tbody tr").first
    expect(row).to_contain_text("Plex")
    expect(row).not_to_contain_text("ongoing")
    expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^\d+ s$"))
    screenshot(tab, "status-desktop")
    assert tab.problems.errors == [] and csp_violations(tab) == []

    assert dashboard.problems.errors == []


@pytest.mark.parametrize(
    "viewport, scheme",
    [(PHONE, "dark"), (PHONE, "light"), ({"width": 1366, "height": 768}, "dark")],
)
def test_the_status_page_fits_phones_and_wide_screens_in_both_themes(
    app, open_page, sign_in, viewport, scheme
):
    for _ in range(3):
        check(app)
    tab = open_page(viewport=viewport, color_scheme=scheme)
    sign_in(tab)
    for query in ("", "?range=7d", "?range=30d"):
        tab.goto("/status" + query)
        expect(tab.locator("#status-plex figure.chart")).to_be_visible()
        expect(tab.locator("#status-plex .chart-canvas canvas")).to_have_count(1)
        width = tab.locator("#status-plex .chart-canvas").evaluate("e => e.scrollWidth")
        assert width <= viewport["width"], "the chart fits the page"
        assert no_sideways_scroll(tab)
    screenshot(tab, f"status-{viewport['width']}-{scheme}")
    tab.set_viewport_size({"width": 390 if viewport["width"] > 390 else 1366, "height": 800})
    tab.wait_for_timeout(300)  # charts.js redraws on resize
    assert no_sideways_scroll(tab)
    assert tab.problems.errors == [] and csp_violations(tab) == []
