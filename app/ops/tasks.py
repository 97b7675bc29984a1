"""The health check job: every service checked, its history kept, open pages told."""

from redis.exceptions import LockError, RedisError

from app.extensions import redis_conn
from app.jobs import report_progress
from app.models.base import utcnow
from app.models.health import DOWN, UP
from app.ops import services as ops
from app.realtime.events import publish
from app.status import demo, recorder
from app.status.tasks import mark_checked

CHECK_JOB_ID = "system-check"
CHECK_LOCK = "medianest:lock:system-check"


def run_system_check() -> dict:
    """Check every service, store states, samples and incidents, tell admins, update pages."""
    lock = redis_conn().lock(CHECK_LOCK, timeout=120)
    if not lock.acquire(blocking=False):
        return {"skipped": "another check is running"}
    try:
        mark_checked()
        report_progress({"type": "status.checking"}, everyone=True)
        outcome = recorder.check_all()
        demo.seed_once()  # demo mode only: a month of history once the services have rows
        row, _flips = ops.record_check(_components(outcome))
        publish({"type": "status.updated", "status": ops.status_view(row)}, everyone=True)
        publish(
            {"type": "health.changed", "keys": outcome.keys, "at": utcnow().isoformat()},
            everyone=True,
        )
        return {
            "healthy": row.healthy,
            "keys": outcome.keys,
            "down": [key for key, f in outcome.findings.items() if f.state == DOWN],
            "opened": outcome.opened,
            "closed": outcome.closed,
            "paused": outcome.paused,
        }
    finally:
        try:
            lock.release()
        except (LockError, RedisError):
            pass  # the lock expired first; the next check takes it


def _components(outcome: recorder.Outcome) -> dict:
    """MediaNest's components (and Plex) for the system-check log of Admin → Health."""
    medianest = outcome.findings.get("medianest")
    found = medianest.info.get("components") if medianest is not None else None
    if (
        isinstance(found, dict)
        and found
        and all(isinstance(c, dict) and "ok" in c for c in found.values())
    ):
        components = {name: dict(c) for name, c in found.items() if name in ops.COMPONENT_LABELS}
    else:
        # The MediaNest check did not say: look at the components here, as the log always did.
        components = {k: c for k, c in ops.collect_status().items() if k != "plex"}
    plex = outcome.findings.get("plex")
    if plex is not None and "plex" not in outcome.crashed:
        components = {"plex": {"ok": plex.state == UP, "detail": plex.detail, "ms": plex.ms}} | (
            components
        )
    return components
