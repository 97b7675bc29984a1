"""The health state machine: two failed checks in a row make a service down, once per incident."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification
from app.models.health import (
    BAD_KEY,
    DOWN,
    ERROR,
    MAINTENANCE,
    PENDING,
    TIMEOUT,
    UP,
    HealthSample,
    Incident,
    ServiceState,
)
from app.status import recorder
from app.status.probes import Finding

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Plex:
    """A probe whose next answer a test sets: up, down (timed out), or not set up."""

    def __init__(self):
        self.state, self.calls = UP, 0

    def __call__(self):
        self.calls += 1
        if self.state is None:
            return None
        if self.state == UP:
            return Finding("plex", "plex", "Plex", UP, detail="Plex 1.41 answering", ms=42.0)
        return Finding(
            "plex", "plex", "Plex", DOWN, reason=TIMEOUT, detail="Timed out after 5 s", public=True
        )


@pytest.fixture
def plex(app, auth):
    auth.owner()
    probe = Plex()
    probe.__name__ = "probe_plex"
    return probe


def run(app, probes, at):
    with app.app_context():
        return recorder.check_all(probes=probes, now=at)


def state_of(app, key="plex") -> ServiceState | None:
    with app.app_context():
        row = db.session.get(ServiceState, key)
        if row is not None:
            db.session.expunge(row)
        return row


def notes(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (n.title, n.level)
            for n in db.session.scalars(select(Notification).order_by(Notification.id))
        ]


def incidents(app) -> list[Incident]:
    with app.app_context():
        rows = db.session.scalars(select(Incident).order_by(Incident.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_one_failed_check_is_pending_and_the_second_opens_an_incident_dated_from_the_first(
    app, plex
):
    run(app, [plex], T0)
    assert state_of(app).state == UP and state_of(app).since == T0
    plex.state = DOWN
    run(app, [plex], T0 + minutes(1))
    pending = state_of(app)
    assert pending.state == PENDING and pending.fails == 1 and pending.reason == TIMEOUT
    assert pending.detail == "Timed out after 5 s" and pending.last_ok_at == T0
    assert incidents(app) == [] and notes(app) == []

    run(app, [plex], T0 + minutes(2))
    down = state_of(app)
    assert down.state == DOWN and down.fails == 2 and down.since == T0 + minutes(1)
    [incident] = incidents(app)
    assert incident.started_at == T0 + minutes(1) and incident.ended_at is None
    assert incident.reason == TIMEOUT and incident.detail == "Timed out after 5 s"
    assert notes(app) == [("Plex is down: timed out after 5 s", "error")]

    run(app, [plex], T0 + minutes(3))  # still down: no second incident, no second message
    assert len(incidents(app)) == 1 and len(notes(app)) == 1

    plex.state = UP
    run(app, [plex], T0 + minutes(5))
    up = state_of(app)
    assert up.state == UP and up.fails == 0 and up.since == T0 + minutes(5)
    assert up.last_ok_at == T0 + minutes(5) and up.reason == ""
    [incident] = incidents(app)
    assert incident.ended_at == T0 + minutes(5)
    assert incident.down_notified_at is not None and incident.up_notified_at is not None
    assert notes(app)[1:] == [("Plex is back after 4 min", "success")]
    run(app, [plex], T0 + minutes(6))
    assert len(notes(app)) == 2


def test_flapping_single_failures_open_no_incident_and_tell_nobody(app, plex):
    for minute, state in enumerate((UP, DOWN, UP, DOWN, UP, DOWN, UP)):
        plex.state = state
        run(app, [plex], T0 + minutes(minute))
    assert incidents(app) == [] and notes(app) == []
    assert state_of(app).state == UP
    with app.app_context():
        checks, ups = db.session.execute(
            select(func.sum(HealthSample.checks), func.sum(HealthSample.ups))
        ).one()
    assert (checks, ups) == (7, 4)


def test_the_breaker_pauses_checks_after_repeated_failures_and_a_success_clears_it(make_app):
    from tests.conftest import Accounts

    app = make_app(HEALTH_BREAKER_FAILURES=3, HEALTH_BREAKER_SECONDS=600)
    Accounts(app, None).owner()
    plex = Plex()
    plex.__name__ = "probe_plex"
    plex.state = DOWN
    for minute in range(3):
        run(app, [plex], T0 + minutes(minute))
    paused = state_of(app)
    assert paused.fails == 3 and paused.retry_at == T0 + minutes(2) + timedelta(seconds=600)
    outcome = run(app, [plex], T0 + minutes(3))
    assert plex.calls == 3, "a paused service is not probed"
    assert outcome.paused == {"plex": "Checks paused until 10:12 UTC after 3 failures in a row"}
    assert "plex" not in outcome.keys
    assert state_of(app).state == DOWN and state_of(app).checked_at == T0 + minutes(2)
    plex.state = UP
    run(app, [plex], T0 + minutes(13))
    assert plex.calls == 4
    back = state_of(app)
    assert back.state == UP and back.retry_at is None and back.fails == 0


def test_a_probe_that_raises_is_a_failed_check_of_its_service(app, auth):
    auth.owner()

    def probe_overseerr():
        raise RuntimeError("boom")

    for minute in range(2):
        run(app, [probe_overseerr], T0 + minutes(minute))
    row = state_of(app, "overseerr")
    assert row.state == DOWN and row.reason == ERROR and row.label == "Overseerr"
    assert "RuntimeError" in row.detail
    assert notes(app) == [("Overseerr is down: the check itself failed (RuntimeError)", "error")]


def test_a_crashing_probe_keeps_who_may_see_the_service_and_its_name(app, plex):
    plex.state = DOWN  # public, labelled "Plex"
    run(app, [plex], T0)

    def probe_plex():
        return "not a finding"

    run(app, [probe_plex], T0 + minutes(1))
    row = state_of(app)
    assert row.state == DOWN and row.public is True and row.label == "Plex"
    assert "TypeError" in row.detail


def test_a_service_no_longer_set_up_loses_its_row_but_keeps_its_history(app, plex):
    plex.state = DOWN
    run(app, [plex], T0)
    run(app, [plex], T0 + minutes(1))
    plex.state = None
    outcome = run(app, [plex], T0 + minutes(2))
    assert state_of(app) is None and outcome.removed == ["plex"] and "plex" in outcome.keys
    [incident] = incidents(app)
    assert incident.ended_at == T0 + minutes(2)
    with app.app_context():
        assert db.session.scalar(select(func.count(HealthSample.id))) == 2


def kuma_probe(monitors: dict[int, str] | None, reachable: bool = True):
    """Kuma with these monitors and their states; None: Kuma is not set up."""

    def probe_kuma():
        if monitors is None:
            return []
        if not reachable:
            return [Finding("kuma", "kuma", "Home", DOWN, reason=BAD_KEY, detail="Refused")]
        found = [Finding("kuma", "kuma", "Home", UP, detail="Status page Home", ms=12)]
        for mid, state in monitors.items():
            found.append(
                Finding(f"kuma:{mid}", "monitor", f"Monitor {mid}", state, detail="msg", ms=5)
            )
        return found

    return probe_kuma


def test_kuma_monitors_follow_the_two_in_a_row_rule_and_maintenance_is_neither(app, auth):
    auth.owner()
    run(app, [kuma_probe({1: UP, 2: UP})], T0)
    run(app, [kuma_probe({1: DOWN, 2: MAINTENANCE})], T0 + minutes(1))
    assert state_of(app, "kuma:1").state == PENDING
    assert state_of(app, "kuma:2").state == MAINTENANCE
    run(app, [kuma_probe({1: DOWN, 2: MAINTENANCE})], T0 + minutes(2))
    assert state_of(app, "kuma:1").state == DOWN
    assert [i.service_key for i in incidents(app)] == ["kuma:1"]
    assert notes(app) == [("Monitor 1 is down: msg", "error")]
    # Kuma's own "pending" is shown as it is and never opens an incident on its own.
    run(app, [kuma_probe({1: UP, 2: PENDING})], T0 + minutes(3))
    run(app, [kuma_probe({1: UP, 2: PENDING})], T0 + minutes(4))
    assert state_of(app, "kuma:2").state == PENDING and len(incidents(app)) == 1
    with app.app_context():
        ups = db.session.scalars(
            select(HealthSample.ups).where(HealthSample.service_key == "kuma:2")
        ).all()
    assert ups == [1, 1, 1, 0, 0]  # maintenance counts as up


def test_an_unreadable_kuma_keeps_its_monitors_and_a_readable_one_drops_those_gone(app, auth):
    auth.owner()
    run(app, [kuma_probe({1: UP, 2: UP})], T0)
    outcome = run(app, [kuma_probe({1: UP, 2: UP}, reachable=False)], T0 + minutes(1))
    assert outcome.keys == ["kuma"]
    assert state_of(app, "kuma:1").state == UP and state_of(app, "kuma:2").state == UP
    outcome = run(app, [kuma_probe({1: UP})], T0 + minutes(2))
    assert state_of(app, "kuma:2") is None and outcome.removed == ["kuma:2"]
    assert set(outcome.keys) == {"kuma", "kuma:1", "kuma:2"}
    outcome = run(app, [kuma_probe(None)], T0 + minutes(3))
    assert state_of(app, "kuma") is None and state_of(app, "kuma:1") is None
    assert sorted(outcome.removed) == ["kuma", "kuma:1"]


def test_rows_are_ordered_by_kind_then_label(app, auth, plex):
    def probe_medianest():
        return Finding("medianest", "medianest", "MediaNest", UP)

    run(app, [probe_medianest, kuma_probe({7: UP, 3: UP}), plex], T0)
    with app.app_context():
        keys = db.session.scalars(select(ServiceState.key).order_by(ServiceState.position)).all()
    assert keys == ["plex", "kuma", "kuma:3", "kuma:7", "medianest"]


def test_a_probe_cannot_write_another_services_row_or_oversized_values(app, auth):
    auth.owner()

    def probe_plex():
        return [
            Finding("plex", "plex", "P" * 500, UP, detail="d" * 10_000, ms=float("nan")),
            Finding("overseerr", "overseerr", "Not mine", DOWN),
            Finding("plex:" + "x" * 200, "plex", "too long a key", UP),
        ]

    run(app, [probe_plex], T0)
    row = state_of(app)
    assert len(row.label) == 200 and len(row.detail) == 2000 and row.ms is None
    assert state_of(app, "overseerr") is None
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceState.key))) == 1


def test_two_checks_in_one_minute_add_to_one_sample(app, plex):
    run(app, [plex], T0)
    plex.state = DOWN
    run(app, [plex], T0 + timedelta(seconds=30))
    with app.app_context():
        [sample] = db.session.scalars(select(HealthSample)).all()
        assert (sample.checks, sample.ups, sample.ms_count, sample.ms_total) == (2, 1, 1, 42.0)
        assert sample.ms_max == 42.0 and sample.bucket_at == T0


def test_numbers_json_cannot_hold_are_stored_as_nothing(app, plex):
    def odd():
        info = {"pings": [12.0, float("inf"), float("nan")], "nested": {"ms": -float("inf")}}
        return Finding("plex", "plex", "Plex", UP, detail="answering", ms=3.0, info=info)

    odd.__name__ = "probe_plex"
    run(app, [odd], datetime.now(UTC))
    stored = state_of(app).info
    assert stored == {"pings": [12.0, None, None], "nested": {"ms": None}}
