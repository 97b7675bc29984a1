"""Jobs of service health: the tick that runs the check when it is due, and the rollup."""

import time

from flask import current_app
from redis.exceptions import LockError, RedisError

from app import settings
from app.extensions import redis_conn
from app.status import rollup

DUE_KEY = "medianest:health:last-check"
ROLLUP_LOCK = "medianest:lock:health-rollup"
MIN_INTERVAL = 10
# The tick comes every few seconds, never exactly on time: a check a little early is due.
SLACK = 5


def interval() -> int:
    """Seconds between checks: the admin's setting, or MEDIANEST_HEALTH_INTERVAL when it is 0."""
    try:
        chosen = int(settings.get("health.interval") or 0)
    except (TypeError, ValueError):
        chosen = 0
    if chosen <= 0:
        chosen = int(current_app.config["HEALTH_INTERVAL"])
    return max(MIN_INTERVAL, chosen)


def mark_checked() -> None:
    """Remember that a check starts now, so the tick waits a whole interval from here."""
    every = interval()
    redis_conn().set(DUE_KEY, f"{time.time():.3f}", ex=every)


def is_due() -> bool:
    """Whether an interval has passed since the last check (and claim it when so)."""
    every = interval()
    now = time.time()
    connection = redis_conn()
    if connection.set(DUE_KEY, f"{now:.3f}", nx=True, ex=every):
        return True
    try:
        last = float(connection.get(DUE_KEY) or 0)
    except (TypeError, ValueError):
        last = 0.0
    # The interval may have been shortened since that check: its key then lives too long.
    if now - last >= every - SLACK:
        connection.set(DUE_KEY, f"{now:.3f}", ex=every)
        return True
    return False


def health_tick() -> dict:
    """Run the health check when its interval has passed since the last one."""
    from app.ops.tasks import run_system_check

    if not is_due():
        return {"due": False}
    return {"due": True, "check": run_system_check()}


def rollup_history() -> dict:
    """Roll minute samples up into hours and days and prune what is older than kept."""
    lock = redis_conn().lock(ROLLUP_LOCK, timeout=3600)
    if not lock.acquire(blocking=False):
        return {"skipped": "another rollup is running"}
    try:
        return rollup.roll_up()
    finally:
        try:
            lock.release()
        except (LockError, RedisError):
            pass
