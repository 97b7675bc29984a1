"""The health job end to end: its schedule, its history over a year, its events and messages."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import func, select, text

from app import settings
from app.extensions import db
from app.models import HealthCheck, Notification
from app.models.health import DAY, DOWN, HOUR, MINUTE, TIMEOUT, UP, HealthSample, ServiceState
from app.realtime.events import EVERYONE
from app.status import history, probes, rollup, tasks
from app.status.probes import Finding
from tests.conftest import wait_for

SERVICES = [f"svc{i}" for i in range(5)]


def _fill_minutes(start: datetime, minutes: int) -> None:
    """One sample a minute for each service, written by the database itself (fast)."""
    keys = " UNION ALL ".join(f"SELECT '{key}' AS k" for key in SERVICES)
    if db.session.get_bind().dialect.name == "postgresql":
        sql = (
            "INSERT INTO health_samples (service_key, resolution, bucket_at, checks, ups,"
            " ms_total, ms_count, ms_max) SELECT keys.k, 'm',"
            " CAST(:start AS timestamptz) + i * interval '1 minute', 1,"
            " CASE WHEN i % 100 = 0 THEN 0 ELSE 1 END, 20.0, 1, 20.0"
            f" FROM generate_series(0, :n - 1) AS i, ({keys}) AS keys"
        )
        start_value = start.isoformat()
    else:
        sql = (
            "WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < :n - 1)"
            " INSERT INTO health_samples (service_key, resolution, bucket_at, checks, ups,"
            " ms_total, ms_count, ms_max) SELECT keys.k, 'm',"
            " strftime('%Y-%m-%d %H:%M:%S', :start, '+' || i || ' minutes') || '.000000', 1,"
            " CASE WHEN i % 100 = 0 THEN 0 ELSE 1 END, 20.0, 1, 20.0"
            f" FROM m, ({keys}) AS keys"
        )
        start_value = start.strftime("%Y-%m-%d %H:%M:%S")
    db.session.execute(text(sql), {"start": start_value, "n": minutes})
    db.session.commit()


def _counts() -> dict[tuple[str, str], int]:
    rows = db.session.execute(
        select(HealthSample.service_key, HealthSample.resolution, func.count()).group_by(
            HealthSample.service_key, HealthSample.resolution
        )
    ).all()
    return {(key, resolution): n for key, resolution, n in rows}


def test_a_year_of_minute_samples_rolls_up_into_a_small_table(app):
    end = datetime(2027, 1, 20, tzinfo=UTC)
    start = end - timedelta(days=420)
    chunk = timedelta(days=42)
    with app.app_context():
        moment = start
        while moment < end:  # as if the hourly rollup ran along, every six weeks here
            _fill_minutes(moment, int(chunk.total_seconds() // 60))
            moment += chunk
            rollup.roll_up(moment)
        counts = _counts()
        again = rollup.roll_up(end)
        assert _counts() == counts, "a second run changes nothing"
        checks = db.session.scalar(select(func.sum(HealthSample.checks)))
        uptime = history.uptime(SERVICES, end - timedelta(days=30))
    assert again == {
        "minutes_merged": 0,
        "hours_merged": 0,
        "days_deleted": 0,
        "incidents_deleted": 0,
    }
    for key in SERVICES:
        assert counts[(key, MINUTE)] == 2 * 1440
        assert counts[(key, HOUR)] == 28 * 24
        assert counts[(key, DAY)] == 370
    assert sum(counts.values()) == 5 * (2 * 1440 + 28 * 24 + 370)
    # Every check of the last 400 days is still counted once, wherever it now lives.
    assert checks == 5 * 400 * 1440
    assert all(0.98 < value < 1 for value in uptime.values())


def test_latency_reads_minute_and_hour_rows_in_buckets_with_gaps(app):
    now = datetime.now(UTC)
    with app.app_context():
        from app.status.samples import add_samples, bucket_of

        add_samples(
            [
                {
                    "service_key": "plex",
                    "bucket_at": bucket_of(now - timedelta(days=6, hours=h), HOUR),
                    "checks": 60,
                    "ups": 60,
                    "ms_total": 60 * 30.0,
                    "ms_count": 60,
                    "ms_max": 90.0,
                }
                for h in range(3)
            ],
            HOUR,
        )
        add_samples(
            [
                {
                    "service_key": "plex",
                    "bucket_at": bucket_of(now - timedelta(minutes=3), MINUTE),
                    "checks": 1,
                    "ups": 1,
                    "ms_total": 12.0,
                    "ms_count": 1,
                    "ms_max": 12.0,
                }
            ],
            MINUTE,
        )
        db.session.commit()
        week = history.latency("plex", now - timedelta(days=7))
        day = history.latency("plex", now - timedelta(hours=24))
    assert len(week) <= 120 and len(day) == 120
    timed = [v for _, v in week if v is not None]
    assert set(timed) == {30.0, 12.0} and timed[-1] == 12.0 and len(timed) in (3, 4)
    assert week[0][1] is None, "no check a week ago: a gap, not a zero"
    assert [v for _, v in day if v is not None] == [12.0]
    assert all(a[0] < b[0] for a, b in zip(day, day[1:], strict=False))


@pytest.fixture
def owner(auth):
    return auth.owner()


def plex_probe(found: dict):
    """A Plex probe answering what `found["state"]` says."""

    def probe_plex():
        if found["state"] == UP:
            return Finding("plex", "plex", "Plex", UP, detail="Plex answering", ms=8.0, public=True)
        return Finding(
            "plex",
            "plex",
            "Plex",
            DOWN,
            reason=TIMEOUT,
            detail="Timed out after 5 s",
            public=True,
        )

    return probe_plex


def medianest_probe():
    return Finding(
        "medianest",
        "medianest",
        "MediaNest",
        UP,
        detail="All parts working",
        info={"components": {"database": {"ok": True, "detail": "answering"}}},
        public=True,
    )


def test_the_job_writes_states_the_admin_log_and_publishes_what_changed(app, owner, monkeypatch):
    found = {"state": UP}
    monkeypatch.setattr(probes, "probe_plex", plex_probe(found))
    monkeypatch.setattr(probes, "probe_overseerr", lambda: None)
    monkeypatch.setattr(probes, "probe_kuma", lambda: [])
    monkeypatch.setattr(probes, "probe_medianest", medianest_probe)
    from app.ops.tasks import run_system_check

    pubsub = Redis.from_url(app.config["REDIS_URL"]).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(EVERYONE)
    wait_for(lambda: pubsub.get_message(timeout=0.1) is None)
    with app.app_context():
        result = run_system_check()
        check = db.session.scalars(select(HealthCheck)).one()
        states = {s.key: s.state for s in db.session.scalars(select(ServiceState))}
    assert result["keys"] == ["plex", "medianest"] and result["healthy"] is True
    assert states == {"plex": UP, "medianest": UP}
    # Admin → Health keeps its log: MediaNest's components and Plex.
    assert check.components["database"]["detail"] == "answering"
    assert check.components["plex"]["ok"] is True
    events = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(e["type"] == "health.changed" for e in events):
        message = pubsub.get_message(timeout=0.5)
        if message:
            events.append(json.loads(message["data"]))
    assert [e["type"] for e in events] == ["status.checking", "status.updated", "health.changed"]
    assert events[-1]["keys"] == ["plex", "medianest"]


def test_a_replayed_job_never_tells_admins_twice(app, owner, auth, monkeypatch):
    friend = auth.create("friend")
    found = {"state": DOWN}
    monkeypatch.setattr(probes, "probe_plex", plex_probe(found))
    monkeypatch.setattr(probes, "probe_overseerr", lambda: None)
    monkeypatch.setattr(probes, "probe_kuma", lambda: [])
    monkeypatch.setattr(probes, "probe_medianest", medianest_probe)
    from app.ops.tasks import run_system_check

    with app.app_context():
        for _ in range(4):
            run_system_check()
        found["state"] = UP
        for _ in range(3):
            run_system_check()
        titles = db.session.scalars(
            select(Notification.title).where(Notification.user_id == owner)
        ).all()
        friends = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == friend)
        )
    assert titles[0] == "Plex is down: timed out after 5 s"
    assert titles[1].startswith("Plex is back after ") and len(titles) == 2
    assert friends == 0


def test_the_tick_runs_the_check_once_an_interval_has_passed(app, owner, monkeypatch):
    monkeypatch.setattr(probes, "probe_plex", lambda: None)
    monkeypatch.setattr(probes, "probe_overseerr", lambda: None)
    monkeypatch.setattr(probes, "probe_kuma", lambda: [])
    monkeypatch.setattr(probes, "probe_medianest", medianest_probe)
    with app.app_context():
        assert tasks.interval() == 60
        assert tasks.health_tick()["due"] is True
        assert tasks.health_tick() == {"due": False}
        # The admin shortens the interval: the next tick honours it without a restart.
        settings.put({"health.interval": 15})
        assert tasks.interval() == 15
        from app.extensions import redis_conn

        redis_conn().set(tasks.DUE_KEY, f"{time.time() - 16:.3f}", ex=3600)
        assert tasks.health_tick()["due"] is True
        assert tasks.health_tick() == {"due": False}
        assert db.session.scalar(select(func.count(HealthCheck.id))) == 2


def test_the_interval_comes_from_the_environment_when_the_setting_is_zero(make_app):
    app = make_app(HEALTH_INTERVAL=120)
    with app.app_context():
        settings.put({"health.interval": 0})
        assert tasks.interval() == 120


def test_the_scheduled_tick_runs_the_check_on_a_real_worker(app, owner, worker):
    from app.extensions import get_queue

    with app.app_context():
        get_queue().enqueue("app.status.tasks.health_tick")
    wait_for(lambda: _count_checks(app) == 1, timeout=30)
    with app.app_context():
        medianest = db.session.get(ServiceState, "medianest")
    assert medianest is not None and medianest.checked_at is not None


def _count_checks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(HealthCheck.id)))
