"""Requests in a browser: an admin's decision reaches the requester's open page without a reload."""

import pytest
from playwright.sync_api import expect

from app import settings
from app.requests import decisions, services
from tests.e2e.conftest import (
    PHONE,
    csp_violations,
    mark_page,
    same_document,
    screenshot,
    sockets_open,
    wait_until_live,
)
from tests.integration.request_helpers import DUNE, WIRE, movie, person

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}


@pytest.fixture
def asked(app, auth):
    """alice asked for Dune and two seasons of The Wire; bob asked for a few movies."""
    owner, alice, bob = auth.owner(), auth.create("alice"), auth.create("bob")
    with app.app_context():
        settings.put({"requests.movie_limit": 3})
        dune = services.create(person(alice), DUNE).created
        wire = services.create(person(alice), WIRE, ["1", "2"]).created
        made = [services.create(person(bob), movie(n)).created for n in (1, 2, 3)]
        decisions.decline(made[0], "We have the director's cut already", actor=person(owner))
        decisions.approve(made[1], actor=person(owner))
        return {"dune": dune.id, "wire": wire.id, "owner": owner, "alice": alice}


def test_the_requester_sees_the_approval_live(live_server, open_page, sign_in, asked):
    alice = open_page()
    sign_in(alice, "alice")
    alice.get_by_role("link", name="Requests", exact=True).click()
    expect(alice.locator("h1")).to_have_text("My requests")  # the dashboard lists the same requests
    alice.get_by_role("link", name="Dune").click()
    expect(alice.locator("h1")).to_contain_text("Dune")
    status = alice.locator(f"#request-status-{asked['dune']}")
    expect(status).to_have_text("Waiting for approval")
    mark_page(alice)

    admin = open_page()
    before = sockets_open(live_server)
    sign_in(admin, "owner")
    wait_until_live(live_server, more_than=before - 1)
    admin.get_by_role("link", name="Admin", exact=True).click()
    admin.locator("nav.subnav").get_by_role("link", name="All requests").click()
    row = admin.locator(f"#request-row-{asked['dune']}")
    row.get_by_role("button", name="Approve").click()
    expect(admin.locator(".flash-success")).to_contain_text("Approved Dune (2021).")

    expect(status).to_have_text("Approved")
    expect(alice.locator(f"#request-history-{asked['dune']}")).to_contain_text("by owner")
    expect(alice.locator("#toasts .toast")).to_contain_text("Request approved: Dune")
    assert same_document(alice), "the requester's page was reloaded"
    assert alice.problems.errors == [] and admin.problems.errors == []
    assert csp_violations(alice) == []


def test_a_decline_with_its_reason_reaches_the_list_live(live_server, open_page, sign_in, asked):
    alice = open_page()
    sign_in(alice, "alice")
    alice.get_by_role("link", name="Requests", exact=True).click()
    expect(alice.locator("h1")).to_have_text("My requests")  # the dashboard lists the same requests
    status = alice.locator(f"#request-status-{asked['wire']}")
    expect(status).to_have_text("Waiting for approval")
    mark_page(alice)

    admin = open_page()
    before = sockets_open(live_server)
    sign_in(admin, "owner")
    wait_until_live(live_server, more_than=before - 1)
    admin.goto(f"/requests/{asked['wire']}")
    admin.get_by_label("Why (the person who asked reads this)").fill("Season 2 is not out here")
    admin.get_by_role("button", name="Decline").click()
    expect(admin.locator(".flash-success")).to_contain_text("Declined The Wire")

    expect(status).to_have_text("Declined")
    expect(alice.locator("#toasts .toast")).to_contain_text("Season 2 is not out here")
    assert same_document(alice)
    assert alice.problems.errors == [] and admin.problems.errors == []


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_request_pages_fit_the_screen(open_page, sign_in, asked, viewport, scheme):
    width = viewport["width"]
    pages = [
        ("alice", "/requests", "mine"),
        ("alice", f"/requests/{asked['wire']}", "detail"),
        ("owner", "/admin/requests?status=all", "queue"),
        ("owner", f"/requests/{asked['dune']}", "detail-admin"),
    ]
    tabs = {}
    for who, url, name in pages:
        if who not in tabs:
            tabs[who] = open_page(viewport=viewport, color_scheme=scheme)
            sign_in(tabs[who], who)
        tab = tabs[who]
        tab.problems.errors.clear()
        assert tab.goto(url).status == 200
        screenshot(tab, f"requests-{name}-{width}-{scheme}")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, url
        assert tab.problems.errors == [], (url, tab.problems.errors)


@pytest.fixture
def known_titles(monkeypatch):
    from app.requests import titles
    from tests.integration.request_helpers import KNOWN

    monkeypatch.setattr(titles, "title_for", lambda kind, tmdb_id: KNOWN.get((kind, tmdb_id)))


BOX_HOST = """() => {
  const host = document.createElement("div");
  host.id = "box-host";
  host.setAttribute("hx-get", "/requests/box/tv/1438");
  host.setAttribute("hx-trigger", "load");
  document.querySelector("main").append(host);
  htmx.process(host);
}"""


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_the_request_box_asks_for_seasons_once_and_shows_its_status_live(
    app, auth, live_server, open_page, sign_in, known_titles, viewport
):
    owner = auth.owner()
    auth.create("carol")
    tab = open_page(viewport=viewport)
    sign_in(tab, "carol")
    tab.evaluate(BOX_HOST)  # where a title's page puts the box
    box = tab.locator("#request-box")
    expect(box.get_by_label("Season 1")).to_be_enabled()
    expect(box).to_contain_text("10 of 10 seasons left this week.")
    mark_page(tab)
    box.get_by_label("Season 2").check()
    box.get_by_label("Season 3").check()
    button = box.get_by_role("button", name="Request selected seasons")
    button.dblclick()
    expect(box).to_contain_text("Requested The Wire (2002), seasons 2–3.")
    expect(box).to_contain_text("8 of 10 seasons left this week")
    expect(box.get_by_label("Season 2")).to_be_disabled()
    screenshot(tab, f"requests-box-{viewport['width']}")
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import MediaRequest

        [req] = db.session.scalars(select(MediaRequest)).all()
        assert req.seasons == [2, 3]
        decisions.approve(req, actor=person(owner))
        request_id = req.id
    expect(tab.locator(f"#request-status-{request_id}")).to_have_text("Approved")
    assert same_document(tab)
    assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert tab.problems.errors == [] and csp_violations(tab) == []
