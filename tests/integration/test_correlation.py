"""Every request has an id: sent back, on its log records, carried by its jobs, quoted on errors."""

import logging
import re
from datetime import timedelta

import pytest
from redis import Redis
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from app import app_errors
from app.extensions import db
from app.jobs import enqueue
from app.models.base import utcnow
from app.models.health import AppError
from tests.conftest import Accounts, wait_for

HEX16 = re.compile(r"[0-9a-f]{16}")
log = logging.getLogger("tests.correlation")


def explode_job(note: str) -> None:
    """A job that fails, saying which correlation id its log records carry."""
    record = log.makeRecord(log.name, logging.INFO, __file__, 1, "about to fail", (), None)
    raise RuntimeError(f"{note}; log id {record.correlation_id}; password=hunter2")


@pytest.fixture
def boom_app(make_app):
    """An app with test-only routes: one that breaks, one that logs, one that enqueues a job."""
    app = make_app()
    Accounts(app, None).owner()
    seen = app.extensions.setdefault("test.seen", [])

    @app.get("/test/boom")
    def boom():
        raise ValueError("the flux capacitor " + "x" * 5000)

    @app.get("/test/broken-session")
    def broken_session():
        db.session.execute(select(func.nosuchfunction()))
        return "unreachable"

    @app.get("/test/log")
    def log_something():
        record = log.makeRecord(log.name, logging.INFO, __file__, 1, "hello", (), None)
        seen.append(record.correlation_id)
        log.info("a request logged this")
        return "logged"

    @app.get("/test/enqueue")
    def enqueue_failing():
        job = enqueue(f"{__name__}.explode_job", "broken on purpose")
        return job.id

    return app


def errors(app) -> list[AppError]:
    with app.app_context():
        return list(db.session.scalars(select(AppError).order_by(AppError.id)))


def test_a_request_id_sent_in_comes_back_and_a_bad_one_is_replaced(boom_app):
    client = boom_app.test_client()
    assert (
        client.get("/health", headers={"X-Request-Id": "abc.DEF_12-3"}).headers["X-Request-Id"]
        == "abc.DEF_12-3"
    )
    for bad in ("x" * 65, "has space", "semi;colon", "<script>", "ünïcode"):
        sent_back = client.get("/health", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
        assert HEX16.fullmatch(sent_back), bad
    first = client.get("/login").headers["X-Request-Id"]
    second = client.get("/login").headers["X-Request-Id"]
    assert HEX16.fullmatch(first) and first != second


def test_log_records_of_a_request_carry_its_id(boom_app, caplog):
    client = boom_app.test_client()
    with caplog.at_level(logging.INFO, logger="tests.correlation"):
        client.get("/test/log", headers={"X-Request-Id": "req-log-1"})
    assert boom_app.extensions["test.seen"] == ["req-log-1"]
    [record] = [r for r in caplog.records if r.getMessage() == "a request logged this"]
    assert record.correlation_id == "req-log-1"
    outside = log.makeRecord(log.name, logging.INFO, __file__, 1, "outside", (), None)
    assert outside.correlation_id == "-"


def test_an_unexpected_error_shows_its_reference_and_is_kept_without_secrets(boom_app):
    client = boom_app.test_client()
    response = client.get(
        "/test/boom?page=2&token=s3cr3t&api_key=k3y&password=pw",
        headers={"X-Request-Id": "ref-500-a"},
    )
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] == "ref-500-a"
    text = response.text
    assert "Something went wrong" in text and "Error reference:" in text and "ref-500-a" in text
    assert "flux capacitor" not in text  # the person sees the reference, not the internals
    [row] = errors(boom_app)
    assert row.correlation_id == "ref-500-a"
    assert row.source == "GET /test/boom?page=2"
    assert row.error == "ValueError"
    assert row.message.startswith("the flux capacitor") and len(row.message) <= 2000
    assert "in boom" in row.trace and "ValueError" in row.trace
    assert row.trace.count('File "') <= app_errors.FRAMES
    for secret in ("s3cr3t", "k3y", "pw"):
        assert secret not in row.source and secret not in row.trace


def test_an_error_that_broke_the_session_is_still_kept(boom_app):
    response = boom_app.test_client().get("/test/broken-session")
    assert response.status_code == 500
    reference = response.headers["X-Request-Id"]
    assert f"Error reference: <code>{reference}</code>" in response.text
    [row] = errors(boom_app)
    assert row.correlation_id == reference and row.source == "GET /test/broken-session"


def test_an_htmx_request_that_breaks_gets_a_toast_with_the_reference(boom_app):
    response = boom_app.test_client().get(
        "/test/boom", headers={"HX-Request": "true", "X-Request-Id": "ref-toast"}
    )
    assert response.status_code == 500
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "Error reference: ref-toast" in response.text


def test_a_failing_job_keeps_the_id_of_the_request_that_enqueued_it(boom_app, worker):
    client = boom_app.test_client()
    job_id = client.get("/test/enqueue", headers={"X-Request-Id": "ref-job-7"}).text

    [row] = wait_for(lambda: errors(boom_app), timeout=30)
    assert row.correlation_id == "ref-job-7"
    assert row.source == f"job {__name__}.explode_job"
    assert row.error == "RuntimeError"
    assert "broken on purpose; log id ref-job-7" in row.message  # the job's logs carry it too
    assert "hunter2" not in row.message and "hunter2" not in row.trace
    assert "in explode_job" in row.trace
    # RQ's own failure handling still ran: the job is in the failed jobs, with its error.
    connection = Redis.from_url(boom_app.config["REDIS_URL"])
    assert wait_for(lambda: job_id in FailedJobRegistry("default", connection=connection))


def test_errors_are_pruned_to_the_newest_thousand_of_thirty_days(boom_app):
    with boom_app.app_context():
        old = AppError(at=utcnow() - timedelta(days=31), correlation_id="old", source="x")
        db.session.add(old)
        db.session.add_all(
            AppError(at=utcnow(), correlation_id=f"r{n}", source="x") for n in range(1004)
        )
        db.session.commit()
    boom_app.test_client().get("/test/boom", headers={"X-Request-Id": "newest"})
    with boom_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AppError)) == 1000
        kept = set(db.session.scalars(select(AppError.correlation_id)))
    assert "newest" in kept and "old" not in kept
    assert {"r0", "r1", "r2", "r3", "r4"}.isdisjoint(kept) and "r1003" in kept


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("GET https://plex.tv/api?X-Plex-Token=abc123&x=1 failed", "abc123"),
        ('{"api_key": "zzz999", "ok": false}', "zzz999"),
        ("Authorization: Bearer tok3n", "tok3n"),
        ("password=hunter2", "hunter2"),
    ],
)
def test_secrets_in_messages_are_hidden(text, hidden):
    assert hidden not in app_errors.redact(text)
