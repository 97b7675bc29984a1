"""Jobs for the system check."""

from redis.exceptions import LockError

from app.extensions import redis_conn
from app.jobs import report_progress
from app.notifications.services import notify_admins
from app.ops.services import COMPONENT_LABELS, collect_status, record_check, status_view
from app.realtime.events import publish

CHECK_JOB_ID = "system-check"
CHECK_LOCK = "medianest:lock:system-check"


def run_system_check() -> dict:
    """Probe every component, store the result, tell admins what changed, update open pages."""
    lock = redis_conn().lock(CHECK_LOCK, timeout=120)
    if not lock.acquire(blocking=False):
        return {"skipped": "another check is running"}
    try:
        report_progress({"type": "status.checking"}, everyone=True)
        row, flips = record_check(collect_status())
        for name, now_ok in flips:
            _notify_flip(name, now_ok, row.components[name]["detail"])
        publish({"type": "status.updated", "status": status_view(row)}, everyone=True)
        return {"healthy": row.healthy, "changed": [name for name, _ in flips]}
    finally:
        try:
            lock.release()
        except LockError:
            pass  # the lock expired first; the next check takes it


def _notify_flip(name: str, now_ok: bool, detail: str) -> None:
    label = COMPONENT_LABELS.get(name, name)
    if now_ok:
        notify_admins(f"{label} is healthy again", detail, level="success", link="/admin/health")
    else:
        notify_admins(f"{label} needs attention", detail, level="error", link="/admin/health")
