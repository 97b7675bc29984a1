"""Health samples: checks counted into minute, hour and day buckets, one upsert per batch."""

from datetime import datetime

from sqlalchemy import case, delete

from app.extensions import db
from app.models.health import HOUR, MINUTE, HealthSample


def bucket_of(moment: datetime, resolution: str) -> datetime:
    """The start of the minute, hour or day a moment falls in."""
    if resolution == MINUTE:
        return moment.replace(second=0, microsecond=0)
    if resolution == HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def sample_of(key: str, now: datetime, up: bool, ms: float | None) -> dict:
    """One check as a minute sample row."""
    return {
        "service_key": key,
        "bucket_at": bucket_of(now, MINUTE),
        "checks": 1,
        "ups": 1 if up else 0,
        "ms_total": ms or 0.0,
        "ms_count": 1 if ms is not None else 0,
        "ms_max": ms,
    }


def dialect_insert(dialect: str):
    """INSERT with ON CONFLICT, as the database in use spells it."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def on_conflict_add(stmt):
    """On a bucket already there, add the new counts and times to it."""
    new, old = stmt.excluded, HealthSample.__table__.c
    return stmt.on_conflict_do_update(
        index_elements=[old.service_key, old.resolution, old.bucket_at],
        set_={
            "checks": old.checks + new.checks,
            "ups": old.ups + new.ups,
            "ms_total": old.ms_total + new.ms_total,
            "ms_count": old.ms_count + new.ms_count,
            "ms_max": case(
                (new.ms_max.is_(None), old.ms_max),
                (old.ms_max.is_(None), new.ms_max),
                (new.ms_max > old.ms_max, new.ms_max),
                else_=old.ms_max,
            ),
        },
    )


def add_samples(rows: list[dict], resolution: str) -> None:
    """Add checks to their buckets: a new bucket's row is inserted, an existing one added to.

    One statement (INSERT ... ON CONFLICT DO UPDATE), so two checks close together on SQLite
    or PostgreSQL both count. Rows must not repeat a (key, bucket) pair.
    """
    if not rows:
        return
    insert = dialect_insert(db.session.get_bind().dialect.name)
    stmt = on_conflict_add(insert(HealthSample.__table__))
    db.session.execute(stmt, [dict(row, resolution=resolution) for row in rows])


def forget_samples(ids: list[int]) -> None:
    """Delete sample rows by id, a bounded number per statement."""
    for start in range(0, len(ids), 500):
        db.session.execute(
            delete(HealthSample).where(HealthSample.id.in_(ids[start : start + 500]))
        )
