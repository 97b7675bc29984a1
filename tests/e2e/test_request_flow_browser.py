"""A request all the way in a browser: Discover, Overseerr, its webhook, and outages on the way."""

import re

import pytest
from playwright.sync_api import expect

from app import settings
from simulators import overseerr
from simulators.overseerr import OverseerrSimulator
from simulators.overseerr_state import APPROVED
from tests.conftest import Accounts, WorkerProcess, wait_for
from tests.e2e.conftest import PHONE, mark_page, same_document, screenshot
from tests.integration import discover_helpers, overseerr_helpers

pytestmark = pytest.mark.browser

tmdb_sim = discover_helpers.tmdb_sim
WIDE = {"width": 1366, "height": 800}
SHOW = 2_000_061  # a show of the TMDB simulator that the Plex simulator does not have
MOVIES = (1_000_411, 1_000_412, 1_000_413)  # movies that are not on Plex either
PASSWORD = "x" * 12  # what overseerr_helpers.person gives people
WEBHOOK_AUTH = "Bearer flow-test-secret"


@pytest.fixture
def sim():
    with OverseerrSimulator() as simulator:
        yield simulator


@pytest.fixture
def app(make_app, tmdb_sim, sim, monkeypatch):
    """MediaNest with TMDB and Overseerr simulated, quick retries, alice matched in Overseerr."""
    for name, value in overseerr_helpers.FAST.items():
        monkeypatch.setenv(f"MEDIANEST_{name}", value)
    fast = {name: float(value) for name, value in overseerr_helpers.FAST.items()}
    app = make_app(**discover_helpers.tmdb_config(tmdb_sim), **fast)
    with app.app_context():
        settings.put(
            {
                "overseerr.url": sim.url,
                "overseerr.api_key": sim.state.api_key,
                "overseerr.webhook_auth": WEBHOOK_AUTH,
            }
        )
    Accounts(app, None).owner()
    overseerr_helpers.person(app, sim, "alice")
    return app


@pytest.fixture
def worker(app):
    process = WorkerProcess(app)
    process.wait_until_registered()
    yield process
    process.stop()


@pytest.fixture
def webhooks(sim, live_server):
    """Overseerr's webhook agent pointed at this MediaNest, with the Authorization it expects."""
    sim.state.webhook_url = f"{live_server.url}/webhooks/overseerr"
    sim.state.webhook_auth = WEBHOOK_AUTH
    return sim.state


def overseerr_requests(sim, tmdb_id: int) -> list:
    with sim.state.lock:
        return [r for r in sim.state.requests.values() if r.media.tmdb_id == tmdb_id]


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_two_seasons_asked_approved_and_available_live(
    open_page, sign_in, sim, tmdb_sim, worker, webhooks, viewport
):
    show = tmdb_sim.state.catalog.facts("tv", SHOW)["title"]
    alice = open_page(viewport=viewport)
    sign_in(alice, "alice", PASSWORD)
    alice.get_by_role("link", name="Discover", exact=True).first.click()
    alice.get_by_label("Search movies and shows").fill(show)
    alice.locator("#discover-results .discover-card", has_text=show).first.click()
    expect(alice.locator("h1")).to_contain_text(show)
    alice.get_by_role("checkbox", name="Season 1").check()
    alice.get_by_role("checkbox", name="Season 2").check()
    alice.get_by_role("button", name="Request selected seasons").click()
    box = alice.locator("#request-box")
    expect(box).to_contain_text("Your request (seasons 1–2)")
    screenshot(alice, f"flow-requested-{viewport['width']}")

    # Delivered as alice's own Overseerr user, so Overseerr's approval rules apply to her.
    sent = wait_for(lambda: overseerr_requests(sim, SHOW), timeout=20)
    assert sent[0].seasons == [1, 2]
    assert sent[0].requested_by.username == "alice"
    box.get_by_role("link", name="Details").click()
    status = alice.locator(".request-status .badge").first
    expect(status).to_have_text("Waiting for approval")
    mark_page(alice)

    owner = open_page(viewport=WIDE)
    sign_in(owner)
    owner.goto("/admin/requests")
    owner.locator("tr", has_text=show).get_by_role("button", name="Approve").click()
    expect(owner.locator(".flash-success")).to_contain_text(f"Approved {show}")
    # Live, on alice's open page: approved, or already processing (Sonarr took it at once).
    expect(status).to_have_text(re.compile("Approved|Processing"))
    wait_for(lambda: overseerr_requests(sim, SHOW)[0].status == APPROVED, timeout=20)

    # Sonarr finished: Overseerr says so once, by webhook, and alice's page follows at once.
    assert overseerr.advance_media(sim.state, SHOW, "AVAILABLE", media_type="tv") == [200]
    expect(status).to_have_text("Available")
    expect(alice.locator("#toasts .toast", has_text=f"Now on Plex: {show}")).to_be_visible()
    assert same_document(alice), "alice's page was reloaded"
    screenshot(alice, f"flow-available-{viewport['width']}")
    assert alice.problems.errors == [] and owner.problems.errors == []
    assert len(overseerr_requests(sim, SHOW)) == 1


def ask_for_movies(tab, tmdb_ids) -> None:
    for tmdb_id in tmdb_ids:
        tab.goto(f"/discover/movie/{tmdb_id}")
        tab.get_by_role("button", name="Request", exact=True).click()
        expect(tab.locator("#request-box")).to_contain_text("Your request")


def test_requests_made_while_overseerr_is_down_arrive_once_it_is_back(
    app, open_page, sign_in, sim, worker
):
    sim.go_away()
    alice = open_page(viewport=WIDE)
    sign_in(alice, "alice", PASSWORD)
    ask_for_movies(alice, MOVIES)
    alice.goto("/requests")
    waiting = alice.locator(".request-status small", has_text="waiting for Overseerr")
    expect(waiting).to_have_count(3)
    screenshot(alice, "flow-waiting-for-overseerr")
    mark_page(alice)

    sim.come_back()
    # The scheduler runs the sweeper every 15 s; here the test runs it until all have gone.
    overseerr_helpers.sweep_until(
        app, lambda: all(overseerr_requests(sim, t) for t in MOVIES), timeout=40
    )
    expect(waiting).to_have_count(0)  # the list follows live
    assert same_document(alice)
    assert [len(overseerr_requests(sim, t)) for t in MOVIES] == [1, 1, 1]


def test_an_answer_lost_after_overseerr_stored_it_makes_no_duplicate(
    app, open_page, sign_in, sim, worker
):
    sim.state.store_then_stall_seconds = 3  # longer than our 1 s timeout: the answer is lost
    alice = open_page(viewport=WIDE)
    sign_in(alice, "alice", PASSWORD)
    ask_for_movies(alice, MOVIES[:1])
    wait_for(lambda: overseerr_requests(sim, MOVIES[0]), timeout=20)
    sim.state.store_then_stall_seconds = 0

    # The retry hears 409 "already requested", finds Overseerr's request and links it.
    overseerr_helpers.sweep_until(
        app, lambda: overseerr_helpers.view(app, request_id(app))["overseerr_id"], timeout=40
    )
    stored = overseerr_requests(sim, MOVIES[0])
    assert len(stored) == 1
    assert overseerr_helpers.view(app, request_id(app))["overseerr_id"] == stored[0].id
    alice.goto(f"/requests/{request_id(app)}")
    expect(alice.locator(".request-status small")).to_have_count(0)
    screenshot(alice, "flow-linked-after-lost-answer")


def request_id(app) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import MediaRequest

    with app.app_context():
        return db.session.scalars(select(MediaRequest.id)).one()
