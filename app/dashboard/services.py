"""The person's own part of the dashboard, and asking for a health check now."""

import logging

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import select

from app.extensions import db, redis_conn
from app.jobs import enqueue
from app.models import Download, MediaRequest
from app.ops.tasks import CHECK_JOB_ID

log = logging.getLogger(__name__)

RECENT = 5
_BUSY = {JobStatus.QUEUED.value.encode(), JobStatus.STARTED.value.encode()}


def my_requests(user_id: int, limit: int = RECENT) -> list:
    """The person's newest requests (read from the user/created index), as plain rows."""
    r = MediaRequest
    return db.session.execute(
        select(r.id, r.title, r.year, r.status, r.delivery)
        .where(r.user_id == user_id)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(limit)
    ).all()


def my_downloads(user_id: int, limit: int = RECENT) -> list:
    """The person's newest downloads (read from the user/created index), as plain rows."""
    d = Download
    return db.session.execute(
        select(d.id, d.title, d.source_url, d.status)
        .where(d.user_id == user_id)
        .order_by(d.created_at.desc(), d.id.desc())
        .limit(limit)
    ).all()


def check_running() -> bool:
    """Whether a health check is waiting or running right now.

    One read of the job's status: rq's Queue.fetch_job costs two round trips and, when there
    is no such job, a write (it removes the id from the queue).
    """
    try:
        return redis_conn().hget(Job.key_for(CHECK_JOB_ID), "status") in _BUSY
    except RedisError:
        return False


def request_check() -> str | None:
    """Queue a health check; returns a message for the person when that was impossible."""
    try:
        enqueue("app.ops.tasks.run_system_check", job_id=CHECK_JOB_ID, result_ttl=300)
    except RedisError as exc:
        log.warning("Could not queue a health check: %s", exc)
        return "The check could not be queued: Redis is not answering."
    return None
