"""Keeping the health history small: minute rows become hour rows, hour rows day rows, old go.

Minute rows older than 2 days are merged into hour rows, hour rows older than 30 days into day
rows; day rows and ended incidents older than 400 days are deleted. Each window of time is
merged and its rows deleted in one transaction, so a second run finds nothing to do
(idempotent) and a run that stops half way leaves every check counted exactly once.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, literal_column, select

from app.extensions import db
from app.models.base import utcnow
from app.models.health import DAY, HOUR, MINUTE, HealthSample, Incident
from app.status.samples import bucket_of, dialect_insert, forget_samples, on_conflict_add

MINUTES_FOR = timedelta(days=2)
HOURS_FOR = timedelta(days=30)
KEEP_FOR = timedelta(days=400)
BATCH = 5000
# How much time one merge transaction covers, by the resolution it merges from.
WINDOWS = {MINUTE: timedelta(days=1), HOUR: timedelta(days=31)}
SPANS = {HOUR: timedelta(hours=1), DAY: timedelta(days=1)}


def roll_up(now: datetime | None = None, batch: int = BATCH) -> dict:
    """Merge and prune the history once; returns how many rows each step touched."""
    now = now or utcnow()
    minute_cut = bucket_of(now - MINUTES_FOR, HOUR)
    hour_cut = bucket_of(now - HOURS_FOR, DAY)
    return {
        "minutes_merged": merge(MINUTE, HOUR, minute_cut),
        "hours_merged": merge(HOUR, DAY, hour_cut),
        "days_deleted": prune_days(now - KEEP_FOR, batch),
        "incidents_deleted": prune_incidents(now - KEEP_FOR, batch),
    }


def _bucket_sql(column, resolution: str, dialect: str):
    """The start of the hour or day of a stored timestamp, computed by the database.

    Constants are written into the SQL, not bound, so GROUP BY repeats the select's expression
    exactly (PostgreSQL refuses one with parameters of its own).
    """
    if dialect == "postgresql":
        unit = literal_column("'hour'" if resolution == HOUR else "'day'")
        utc = literal_column("'UTC'")
        # The day begins at midnight UTC, not at the database server's midnight.
        return func.timezone(utc, func.date_trunc(unit, func.timezone(utc, column)))
    # SQLite keeps UTC as text "YYYY-MM-DD HH:MM:SS.ffffff", as UTCDateTime writes it.
    if resolution == HOUR:
        return func.substr(column, 1, 13).op("||")(literal_column("':00:00.000000'"))
    return func.substr(column, 1, 10).op("||")(literal_column("' 00:00:00.000000'"))


def merge(source: str, target: str, before: datetime, window: timedelta | None = None) -> int:
    """Move rows of `source` resolution older than `before` into `target` rows.

    A window of time at a time (a day of minutes, a month of hours): the database sums each
    window's rows into the coarser rows (adding to ones already there) and deletes them, in one
    transaction per window.
    """
    # A window shorter than one coarser bucket would never get past that bucket.
    window = max(window or WINDOWS[source], SPANS[target])
    table = HealthSample.__table__
    dialect = db.session.get_bind().dialect.name
    insert = dialect_insert(dialect)
    moved = 0
    while True:
        oldest = db.session.scalar(
            select(func.min(HealthSample.bucket_at)).where(
                HealthSample.resolution == source, HealthSample.bucket_at < before
            )
        )
        if oldest is None:
            return moved
        low = bucket_of(oldest, target)
        high = min(low + window, before)
        in_window = (
            table.c.resolution == source,
            table.c.bucket_at >= low,
            table.c.bucket_at < high,
        )
        bucket = _bucket_sql(table.c.bucket_at, target, dialect).label("bucket")
        summed = (
            select(
                table.c.service_key,
                literal_column(f"'{target}'"),
                bucket,
                func.sum(table.c.checks),
                func.sum(table.c.ups),
                func.sum(table.c.ms_total),
                func.sum(table.c.ms_count),
                func.max(table.c.ms_max),
            )
            .where(*in_window)
            .group_by(table.c.service_key, bucket)
        )
        stmt = insert(table).from_select(
            ["service_key", "resolution", "bucket_at", "checks", "ups", "ms_total"]
            + ["ms_count", "ms_max"],
            summed,
        )
        db.session.execute(on_conflict_add(stmt))
        moved += db.session.execute(delete(table).where(*in_window)).rowcount
        db.session.commit()


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
