"""Keeping the health history small: minute rows become hour rows, hour rows day rows, old go.

Minute rows older than 2 days are merged into hour rows, hour rows older than 30 days into day
rows; day rows and ended incidents older than 400 days are deleted. Each batch merges its rows
and deletes them in one transaction, so a second run finds nothing to do (idempotent) and a
run that stops half way leaves every check counted exactly once.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.health import DAY, HOUR, MINUTE, HealthSample, Incident
from app.status.recorder import add_samples, bucket_of, forget_samples

MINUTES_FOR = timedelta(days=2)
HOURS_FOR = timedelta(days=30)
KEEP_FOR = timedelta(days=400)
BATCH = 5000


def roll_up(now: datetime | None = None, batch: int = BATCH) -> dict:
    """Merge and prune the history once; returns how many rows each step touched."""
    now = now or utcnow()
    minute_cut = bucket_of(now - MINUTES_FOR, HOUR)
    hour_cut = bucket_of(now - HOURS_FOR, DAY)
    return {
        "minutes_merged": merge(MINUTE, HOUR, minute_cut, batch),
        "hours_merged": merge(HOUR, DAY, hour_cut, batch),
        "days_deleted": prune_days(now - KEEP_FOR, batch),
        "incidents_deleted": prune_incidents(now - KEEP_FOR, batch),
    }


def merge_rows(rows, resolution: str) -> list[dict]:
    """Sum sample rows into one row per service and bucket of the coarser resolution."""
    merged: dict[tuple[str, datetime], dict] = {}
    for row in rows:
        bucket = bucket_of(row.bucket_at, resolution)
        into = merged.get((row.service_key, bucket))
        if into is None:
            merged[(row.service_key, bucket)] = {
                "service_key": row.service_key,
                "bucket_at": bucket,
                "checks": row.checks,
                "ups": row.ups,
                "ms_total": row.ms_total,
                "ms_count": row.ms_count,
                "ms_max": row.ms_max,
            }
            continue
        into["checks"] += row.checks
        into["ups"] += row.ups
        into["ms_total"] += row.ms_total
        into["ms_count"] += row.ms_count
        if row.ms_max is not None and (into["ms_max"] is None or row.ms_max > into["ms_max"]):
            into["ms_max"] = row.ms_max
    return list(merged.values())


def merge(source: str, target: str, before: datetime, batch: int = BATCH) -> int:
    """Move rows of `source` resolution older than `before` into `target` rows, in batches."""
    columns = (
        HealthSample.id,
        HealthSample.service_key,
        HealthSample.bucket_at,
        HealthSample.checks,
        HealthSample.ups,
        HealthSample.ms_total,
        HealthSample.ms_count,
        HealthSample.ms_max,
    )
    moved = 0
    while True:
        rows = db.session.execute(
            select(*columns)
            .where(HealthSample.resolution == source, HealthSample.bucket_at < before)
            .order_by(HealthSample.bucket_at, HealthSample.id)
            .limit(batch)
        ).all()
        if not rows:
            return moved
        add_samples(merge_rows(rows, target), target)
        forget_samples([row.id for row in rows])
        db.session.commit()
        moved += len(rows)


def prune_days(before: datetime, batch: int = BATCH) -> int:
    """Delete day rows older than `before`."""
    deleted = 0
    while True:
        ids = db.session.scalars(
            select(HealthSample.id)
            .where(HealthSample.resolution == DAY, HealthSample.bucket_at < before)
            .limit(batch)
        ).all()
        if not ids:
            return deleted
        forget_samples(list(ids))
        db.session.commit()
        deleted += len(ids)


def prune_incidents(before: datetime, batch: int = BATCH) -> int:
    """Delete incidents that ended before `before` (open ones stay, however old)."""
    deleted = 0
    while True:
        rows = db.session.scalars(
            select(Incident).where(Incident.ended_at < before).limit(batch)
        ).all()
        if not rows:
            return deleted
        for row in rows:
            db.session.delete(row)
        db.session.commit()
        deleted += len(rows)
