"""Library sync jobs: top level, idempotent, safe to enqueue twice."""

from app.jobs import report_progress
from app.library import services
from app.realtime.events import publish

FULL_JOB_ID = "library-full-sync"


def _progress(event: dict) -> None:
    report_progress(event, admins=True)


def _finished(result: dict) -> dict:
    from app.requests.availability import after_sync

    after_sync()  # requested titles that arrived become available
    publish({"type": "sync.finished", **result}, admins=True)
    return result


def full_sync() -> dict:
    """Scan every library; the nightly schedule and the admin's button run this."""
    return _finished(services.full_sync(_progress))


def recent_sync() -> dict:
    """Pick up what Plex added since the last scan (every few minutes)."""
    return _finished(services.recent_sync(_progress))


def section_update(section_key: str) -> dict:
    """Pick up what Plex just added to one library (Plex's webhook asked for it)."""
    return _finished(services.recent_sync(_progress, section_key=section_key, kind="webhook"))
