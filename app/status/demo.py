"""Demo mode: thirty days of made-up health history, so the Status page has charts, uptime and
past incidents to show from the first minute. Seeded once, after the first health check."""

import logging
import math
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import HealthSample, Incident, ServiceState
from app.models.base import utcnow
from app.models.health import HOUR, REFUSED, TIMEOUT

log = logging.getLogger(__name__)

DAYS = 30
# Typical response times (ms) per kind; monitors vary around their own.
BASE_MS = {"plex": 24.0, "overseerr": 38.0, "medianest": 4.0, "kuma": 30.0}
# Past outages: (kind, days ago, minutes down, reason, detail).
OUTAGES = (
    ("overseerr", 3, 14, TIMEOUT, "Timed out after 5 s"),
    ("monitor", 9, 42, REFUSED, "Refused the connection"),
    ("plex", 17, 6, REFUSED, "Refused the connection"),
)


def seed_once() -> bool:
    """Seed the history of each service that has none yet; True when it did.

    Per service, because the first check may run before the demo's Overseerr and Kuma are set."""
    if not current_app.config.get("DEMO"):
        return False
    seeded = select(HealthSample.service_key).where(HealthSample.resolution == HOUR).distinct()
    states = db.session.scalars(
        select(ServiceState).where(ServiceState.key.not_in(seeded)).order_by(ServiceState.key)
    ).all()
    if not states:
        return False
    end = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    outages = _outages(states, end)
    rows = []
    for state in states:
        rows.extend(_hours(state, end, outages.get(state.key, [])))
    db.session.add_all(rows)
    db.session.add_all(incident for spans in outages.values() for incident in spans)
    db.session.commit()
    log.info("Demo: seeded %d hours of health history for %d services", len(rows), len(states))
    return True


def _outages(states, end) -> dict[str, list[Incident]]:
    """One past incident per outage, on the first service of its kind being seeded."""
    found: dict[str, list[Incident]] = {}
    for kind, days, minutes, reason, detail in OUTAGES:
        state = next((s for s in states if s.kind == kind), None)
        if state is None:
            continue
        started = end - timedelta(days=days, hours=5, minutes=17)
        incident = Incident(
            service_key=state.key,
            label=state.label,
            started_at=started,
            ended_at=started + timedelta(minutes=minutes),
            reason=reason,
            detail=detail,
            down_notified_at=started + timedelta(minutes=1),
            up_notified_at=started + timedelta(minutes=minutes),
        )
        found.setdefault(state.key, []).append(incident)
    return found


def _hours(state: ServiceState, end, incidents: list[Incident]) -> list[HealthSample]:
    rng = random.Random(state.key)
    base = BASE_MS.get(state.kind) or rng.uniform(15, 120)
    rows = []
    for n in range(DAYS * 24, 0, -1):
        bucket = end - timedelta(hours=n)
        down = sum(_minutes_down(i, bucket) for i in incidents)
        # A gentle daily wave (busier evenings) with some noise.
        wave = 1 + 0.25 * math.sin((bucket.hour - 14) / 24 * 2 * math.pi)
        mean = base * wave * rng.uniform(0.85, 1.2)
        timed = 60 - down
        rows.append(
            HealthSample(
                service_key=state.key,
                resolution=HOUR,
                bucket_at=bucket,
                checks=60,
                ups=60 - down,
                ms_total=round(mean * timed, 1),
                ms_count=timed,
                ms_max=round(mean * rng.uniform(1.5, 3.0), 1) if timed else None,
            )
        )
    return rows


def _minutes_down(incident: Incident, bucket) -> int:
    start = max(incident.started_at, bucket)
    stop = min(incident.ended_at, bucket + timedelta(hours=1))
    return max(0, int((stop - start).total_seconds() // 60))
