"""Admin → System in a browser: charts drawn, nothing sideways, a failed job retried by a click."""

from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry

from app.extensions import db
from app.jobs import enqueue
from app.models import Download, DownloadItem, MediaRequest, User
from app.models.base import utcnow
from app.models.health import AppError
from tests.conftest import WorkerProcess
from tests.e2e.conftest import PHONE, csp_violations, screenshot

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}
LONG = "a-rather-long-username-that-does-not-wrap-" + "x" * 22  # 64, the most a name holds


def fail_job(note: str) -> None:
    """A job that fails with a long message, as a real one might."""
    raise RuntimeError(f"{note}: " + "https://example.com/" + "y" * 200)


@pytest.fixture
def seeded(app, auth):
    """An owner, people with requests and downloads, an error, and one really failed job."""
    auth.owner()
    now = utcnow()
    with app.app_context():
        people = [User(username=name, role="user") for name in ("alice", LONG)]
        for person in people:
            person.set_password("x" * 12)
        db.session.add_all(people)
        db.session.flush()
        for n, person in enumerate(people):
            db.session.add(
                MediaRequest(
                    user_id=person.id,
                    media_type="movie",
                    tmdb_id=n + 1,
                    title="A film",
                    created_at=now - timedelta(days=n),
                )
            )
            download = Download(
                user_id=person.id,
                source_url="https://example.com/v",
                source_key=f"k{n}",
                kind="video",
                created_at=now - timedelta(days=n + 2),
            )
            download.items.append(
                DownloadItem(
                    position=1,
                    extractor="youtube",
                    video_id="v",
                    url="https://example.com/v",
                    size_bytes=(n + 1) * 300 * 1024**2,
                    status="finished",
                )
            )
            db.session.add(download)
        db.session.add(
            AppError(
                correlation_id="3f9c2a7d1b0e4c55",
                source="GET /library/" + "z" * 200,
                error="ValueError",
                message="bad " * 100,
                trace="Traceback (most recent call last):\n" + "  File " + "q" * 300 + "\n",
            )
        )
        db.session.commit()
        job_id = enqueue(f"{__name__}.fail_job", "broken on purpose").id
    WorkerProcess(app, "--burst").process.wait(timeout=60)
    return job_id


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_system_page_draws_its_charts_and_fits(open_page, sign_in, seeded, viewport, scheme):
    tab = open_page(viewport=viewport, color_scheme=scheme)
    sign_in(tab)
    tab.goto("/admin/system")
    for chart in ("chart-requests", "chart-downloads", "chart-people", "chart-storage"):
        tab.locator(f"#{chart} .chart-canvas canvas").first.wait_for()
    tab.locator(".trace summary").first.click()
    failed = tab.locator(f'tr[data-job-id="{seeded}"]')
    failed.locator("summary").click()
    assert "RuntimeError: broken on purpose" in failed.inner_text()
    tab.locator("#chart-storage summary").click()  # the storage chart's numbers
    numbers = tab.locator("#chart-storage table").inner_text()
    assert numbers.index(LONG) < numbers.index("alice")  # largest first
    assert no_sideways_scroll(tab)
    screenshot(tab, f"admin-system-{viewport['width']}-{scheme}")
    assert tab.problems.errors == []
    assert csp_violations(tab) == []


def test_opening_the_page_from_the_admin_menu_draws_the_charts(open_page, sign_in, seeded):
    tab = open_page()
    sign_in(tab)
    tab.goto("/admin/health")
    tab.locator("nav.subnav").get_by_role("link", name="System", exact=True).click()
    tab.wait_for_url("**/admin/system")
    assert tab.locator("#chart-requests table").count() == 1
    tab.locator("#chart-requests .chart-canvas canvas").first.wait_for(timeout=3000)
    assert tab.problems.errors == []


def test_retry_puts_a_failed_job_back_in_its_queue(open_page, sign_in, seeded, app):
    tab = open_page(viewport=PHONE)
    sign_in(tab)
    tab.goto("/admin/system")
    tab.locator(f'tr[data-job-id="{seeded}"]').get_by_role("button", name="Retry").click()
    tab.get_by_text("Queued again:").wait_for()
    connection = Redis.from_url(app.config["REDIS_URL"])
    assert seeded in Queue("default", connection=connection).get_job_ids()
    assert seeded not in FailedJobRegistry("default", connection=connection)
    assert tab.locator(f'tr[data-job-id="{seeded}"]').count() == 0
    assert "1</strong> waiting" in tab.content()
    assert tab.problems.errors == []


def test_an_error_reference_is_found_from_the_search_box(open_page, sign_in, seeded):
    tab = open_page()
    sign_in(tab)
    tab.goto("/admin/system")
    box = tab.get_by_label("Error reference")
    box.fill("no such ref!")
    box.press("Enter")
    tab.get_by_text("An error reference is 1 to 64 letters").wait_for()
    box.fill("3f9c2a7d1b0e4c55")
    box.press("Enter")
    tab.get_by_text("1 error with the reference").wait_for()
    assert "ref=3f9c2a7d1b0e4c55" in tab.url
    assert tab.problems.errors == []
