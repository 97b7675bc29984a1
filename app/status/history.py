"""Reading the health history: uptime over a window, latency series, incidents."""

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Incident
from app.models.base import utcnow
from app.models.health import HealthSample
from app.paging import Page, paginate
from app.status.rollup import HOURS_FOR, MINUTES_FOR


def uptime(keys: list[str], since: datetime) -> dict[str, float | None]:
    """Share of checks since `since` that found each service up (0..1), None with no checks.

    Counts minute, hour and day samples alike (weighted by their checks), so 30 days read the
    rolled-up rows."""
    keys = list(dict.fromkeys(keys))
    result: dict[str, float | None] = dict.fromkeys(keys)
    if not keys:
        return result
    rows = db.session.execute(
        select(HealthSample.service_key, func.sum(HealthSample.checks), func.sum(HealthSample.ups))
        .where(HealthSample.service_key.in_(keys), HealthSample.bucket_at >= since)
        .group_by(HealthSample.service_key)
    ).all()
    for key, checks, ups in rows:
        result[key] = (ups or 0) / checks if checks else None
    return result


def bucket_width(since: datetime, now: datetime, points: int) -> timedelta:
    """Wide enough for `points` buckets, and never finer than the rows that far back."""
    seconds = max(60, math.ceil((now - since).total_seconds() / max(1, points)))
    if since < now - HOURS_FOR:
        seconds = max(seconds, 86400)
    elif since < now - MINUTES_FOR:
        seconds = max(seconds, 3600)
    return timedelta(seconds=seconds)


def latency(key: str, since: datetime, points: int = 120) -> list[tuple[datetime, float | None]]:
    """Mean response time (ms) of a service since `since`, in at most `points` buckets, oldest
    first; None for a bucket with no timed check."""
    now = utcnow()
    if since >= now:
        return []
    width = bucket_width(since, now, points)
    count = min(points, math.ceil((now - since) / width))
    totals = [0.0] * count
    timed = [0] * count
    rows = db.session.execute(
        select(HealthSample.bucket_at, HealthSample.ms_total, HealthSample.ms_count).where(
            HealthSample.service_key == key,
            HealthSample.bucket_at >= since,
            HealthSample.ms_count > 0,
        )
    ).all()
    for bucket_at, ms_total, ms_count in rows:
        index = int((bucket_at - since) / width)
        if 0 <= index < count:
            totals[index] += ms_total
            timed[index] += ms_count
    return [
        (since + width * i, round(totals[i] / timed[i], 1) if timed[i] else None)
        for i in range(count)
    ]


def _incidents_query(key: str | None, keys: list[str] | None):
    query = select(Incident)
    if key is not None:
        query = query.where(Incident.service_key == key)
    if keys is not None:
        query = query.where(Incident.service_key.in_(keys))
    return query.order_by(
        Incident.ended_at.is_not(None), Incident.started_at.desc(), Incident.id.desc()
    )


def incidents(
    key: str | None = None, limit: int = 50, *, keys: list[str] | None = None
) -> list[Incident]:
    """Incidents newest first (open ones first), of one service or of all (or of `keys`)."""
    return list(db.session.scalars(_incidents_query(key, keys).limit(limit)))


def incidents_page(keys: list[str] | None, page: int, per_page: int = 20) -> Page:
    """One page of incidents, open ones first, then newest first; keys=None means all."""
    return paginate(_incidents_query(None, keys), page, per_page)
