"""Starting syncs from the app, and what the admin's library page shows of them."""

import logging
from datetime import datetime, timedelta

from flask import url_for
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db, redis_conn
from app.jobs import enqueue
from app.library import section_rows, services, tasks
from app.library.tasks import FULL_JOB_ID
from app.models.base import utcnow
from app.models.library import SyncRun
from app.models.system import Setting

log = logging.getLogger(__name__)

WEBHOOK_SEEN = "plex.webhook_received_at"
WEBHOOK_SEEN_EVERY = timedelta(minutes=5)  # Plex calls on every play and pause: write seldom
NOT_QUEUED = "The sync could not be started: Redis is not answering. Try again in a moment."


def start_full_sync(*, actor=None, reason: str = "manual") -> str | None:
    """Queue a full sync (once, however often asked); returns a problem for the person, or None."""
    try:
        enqueue(f"{tasks.__name__}.full_sync", job_id=FULL_JOB_ID, job_timeout=4 * 3600)
    except RedisError as exc:
        log.warning("Could not queue a full library sync: %s", exc)
        return NOT_QUEUED
    if actor is not None:
        audit.record(
            "library.sync_started", actor=actor, target="Plex library", details={"kind": "full"}
        )
    return None


def full_sync_waiting() -> bool:
    """Whether a full sync is queued and no worker has picked it up yet."""
    try:
        status = redis_conn().hget(Job.key_for(FULL_JOB_ID), "status")
    except RedisError:
        return False
    return status == JobStatus.QUEUED.value.encode()


def live_progress() -> dict | None:
    """The running full sync's last progress event, as the socket would have shown it."""
    try:
        job = Job.fetch(FULL_JOB_ID, connection=redis_conn())
    except (NoSuchJobError, RedisError):  # the page shows the run row instead
        return None
    if job.get_status(refresh=False) != JobStatus.STARTED:
        return None
    return job.meta.get("progress")


def sync_state() -> dict:
    """What the sync bar shows now: a waiting or running sync, or the last one's result."""
    running = services.running_run()
    if running is not None:
        return {"running": running, "progress": live_progress(), "poll": True}
    if full_sync_waiting():
        return {"queued": True, "poll": True}
    return {}


def library_waiting(has_sections: bool) -> dict | None:
    """What the library page says while it waits: the first sync under way, or what is missing."""
    state = sync_state()
    busy = state.get("running") is not None or bool(state.get("queued"))
    first = busy and not db.session.scalar(
        select(SyncRun.id).where(SyncRun.kind == "full", SyncRun.status == "succeeded").limit(1)
    )
    if has_sections and not first:
        return None
    return {
        "first_sync": first,
        "sync": {**state, "poll": False},
        "plex_connected": services.plex_connected(),
        "anything_synced": has_sections or bool(services.sections()),
    }


def last_result() -> dict | None:
    runs = services.recent_runs(1)
    return services.report(runs[0]) if runs else None


def page_context() -> dict:
    """Everything the admin's library page shows, from the database."""
    sections = services.sections()
    return {
        "sections": sections,
        "section_items": section_rows.item_counts() if sections else {},
        "section_label": section_rows.section_label,
        "runs": services.recent_runs(),
        "webhook_url": url_for(
            "library.plex_webhook", secret=services.webhook_secret(), _external=True
        ),
        "webhook_seen": webhook_received_at(),
        "plex_connected": services.plex_connected(),
        **sync_state(),
    }


def note_webhook() -> None:
    """Remember that Plex's webhook reached MediaNest, for the owner's checklist and page."""
    now = utcnow()
    row = db.session.get(Setting, WEBHOOK_SEEN)
    if row is not None and row.updated_at and now - row.updated_at < WEBHOOK_SEEN_EVERY:
        return
    if row is None:
        db.session.add(Setting(key=WEBHOOK_SEEN, value=now.isoformat()))
    else:
        row.value, row.updated_at = now.isoformat(), now
    try:
        db.session.commit()
    except IntegrityError:  # another process noted it at the same moment
        db.session.rollback()


def webhook_received_at() -> datetime | None:
    row = db.session.get(Setting, WEBHOOK_SEEN)
    return row.updated_at if row is not None and row.value else None
