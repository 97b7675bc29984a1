"""Rolling samples up keeps every check: counts, ups and response times add up exactly."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.health import DAY, HOUR, MINUTE, HealthSample, Incident
from app.status import history, rollup
from app.status.samples import add_samples, bucket_of

NOW = datetime(2026, 6, 15, 12, 30, tzinfo=UTC)


def _sample(key, at, up, ms, checks=1):
    return {
        "service_key": key,
        "bucket_at": at,
        "checks": checks,
        "ups": int(up) * checks,
        "ms_total": (ms or 0.0) * checks,
        "ms_count": checks if ms is not None else 0,
        "ms_max": ms,
    }


def _rows(app):
    with app.app_context():
        return sorted(
            (s.service_key, s.resolution, s.bucket_at, s.checks, s.ups, s.ms_total, s.ms_count)
            + (s.ms_max,)
            for s in db.session.scalars(select(HealthSample))
        )


def test_minutes_of_one_hour_merge_into_one_row_per_service(app):
    hour = bucket_of(NOW - timedelta(days=3), HOUR)
    with app.app_context():
        add_samples(
            [
                _sample("plex", hour + timedelta(minutes=1), True, 40.0, checks=2),
                _sample("plex", hour + timedelta(minutes=59), False, None),
                _sample("plex", hour + timedelta(minutes=30), True, 30.0, checks=3),
                _sample("kuma:1", hour + timedelta(minutes=5), True, 7.5),
                _sample("plex", hour + timedelta(hours=1), True, 10.0),  # the next hour
            ],
            MINUTE,
        )
        db.session.commit()
        assert rollup.merge(MINUTE, HOUR, NOW - timedelta(days=2)) == 5
    rows = {(r[0], r[2]): r for r in _rows(app)}
    assert set(rows) == {("plex", hour), ("kuma:1", hour), ("plex", hour + timedelta(hours=1))}
    assert {r[1] for r in rows.values()} == {HOUR}
    assert rows[("plex", hour)][3:] == (6, 5, 170.0, 5, 40.0)
    assert rows[("kuma:1", hour)][3:] == (1, 1, 7.5, 1, 7.5)


def test_a_bucket_with_no_timed_check_keeps_no_maximum(app):
    day = bucket_of(NOW - timedelta(days=40), DAY)
    with app.app_context():
        add_samples(
            [_sample("plex", day + timedelta(hours=h), False, None) for h in range(24)], HOUR
        )
        db.session.commit()
        rollup.roll_up(NOW)
    [merged] = _rows(app)
    assert merged[1:] == (DAY, day, 24, 0, 0.0, 0, None)


def test_buckets_start_at_the_minute_hour_and_day():
    moment = datetime(2026, 6, 1, 7, 42, 13, 500, tzinfo=UTC)
    assert bucket_of(moment, MINUTE) == datetime(2026, 6, 1, 7, 42, tzinfo=UTC)
    assert bucket_of(moment, HOUR) == datetime(2026, 6, 1, 7, tzinfo=UTC)
    assert bucket_of(moment, DAY) == datetime(2026, 6, 1, tzinfo=UTC)


def test_a_rollup_merges_into_existing_rows_keeps_totals_and_is_idempotent(app):
    old_hour = bucket_of(NOW - timedelta(days=3), HOUR)
    with app.app_context():
        # An hour row already there (from an earlier, interrupted rollup) and its minutes.
        add_samples([_sample("plex", old_hour, True, 100.0)], HOUR)
        add_samples(
            [
                _sample("plex", old_hour + timedelta(minutes=m), m % 3 != 0, 10.0 * m or None)
                for m in range(60)
            ],
            MINUTE,
        )
        add_samples([_sample("plex", NOW - timedelta(hours=1), True, 5.0)], MINUTE)  # stays
        db.session.commit()
        before = db.session.execute(select(HealthSample.checks, HealthSample.ups)).all()
        first = rollup.roll_up(NOW)
    assert first["minutes_merged"] == 60
    after = _rows(app)
    with app.app_context():
        assert rollup.roll_up(NOW) == {
            "minutes_merged": 0,
            "hours_merged": 0,
            "days_deleted": 0,
            "incidents_deleted": 0,
        }
    assert _rows(app) == after
    assert sum(c for c, _ in before) == sum(r[3] for r in after) == 62
    assert sum(u for _, u in before) == sum(r[4] for r in after)
    [hour] = [r for r in after if r[1] == HOUR]
    assert hour[2] == old_hour and hour[3] == 61 and hour[4] == 41
    assert hour[5] == 100.0 + sum(10.0 * m for m in range(1, 60)) and hour[6] == 60
    assert hour[7] == 590.0
    assert [r[1] for r in after] == [HOUR, MINUTE]


def test_old_hours_become_days_and_very_old_days_and_incidents_go(app):
    with app.app_context():
        add_samples(
            [
                _sample(
                    "plex",
                    bucket_of(NOW - timedelta(days=40), DAY) + timedelta(hours=h),
                    True,
                    20.0,
                )
                for h in range(24)
            ],
            HOUR,
        )
        add_samples([_sample("plex", NOW - timedelta(days=401), True, 1.0)], DAY)
        db.session.add_all(
            [
                Incident(
                    service_key="plex",
                    started_at=NOW - timedelta(days=402),
                    ended_at=NOW - timedelta(days=401),
                ),
                Incident(service_key="plex", started_at=NOW - timedelta(days=500)),  # still open
                Incident(
                    service_key="plex",
                    started_at=NOW - timedelta(days=3),
                    ended_at=NOW - timedelta(days=2),
                ),
            ]
        )
        db.session.commit()
        done = rollup.roll_up(NOW)
        incidents = db.session.scalars(select(Incident.ended_at)).all()
    assert done == {
        "minutes_merged": 0,
        "hours_merged": 24,
        "days_deleted": 1,
        "incidents_deleted": 1,
    }
    [day] = _rows(app)
    assert day[1:5] == (DAY, bucket_of(NOW - timedelta(days=40), DAY), 24, 24)
    assert day[5:] == (480.0, 24, 20.0)
    assert len(incidents) == 2 and None in incidents


def test_uptime_reads_minutes_hours_and_days_weighted_by_their_checks(app):
    now = datetime.now(UTC)
    with app.app_context():
        add_samples([_sample("plex", now - timedelta(minutes=5), False, None)], MINUTE)
        hour = {**_sample("plex", bucket_of(now - timedelta(days=5), HOUR), True, 10.0)}
        hour.update(checks=60, ups=57)
        add_samples([hour], HOUR)
        db.session.commit()
        day = history.uptime(["plex", "nothing"], now - timedelta(days=1))
        week = history.uptime(["plex"], now - timedelta(days=7))
    assert day == {"plex": 0.0, "nothing": None}
    assert week["plex"] == 57 / 61
