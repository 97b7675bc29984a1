"""The status card's data, and asking for a check now."""

import logging

from redis.exceptions import RedisError
from rq.job import Job, JobStatus

from app.extensions import redis_conn
from app.jobs import enqueue
from app.ops.services import latest_check, status_view
from app.ops.tasks import CHECK_JOB_ID

log = logging.getLogger(__name__)


def current_status() -> dict | None:
    return status_view(latest_check())


_BUSY = {JobStatus.QUEUED.value.encode(), JobStatus.STARTED.value.encode()}


def check_running() -> bool:
    """Whether a system check is waiting or running right now.

    One read of the job's status: every dashboard view asks, and rq's Queue.fetch_job costs
    two round trips and, when there is no such job, a write (it removes the id from the queue).
    """
    try:
        return redis_conn().hget(Job.key_for(CHECK_JOB_ID), "status") in _BUSY
    except RedisError:
        return False


def request_check() -> str | None:
    """Queue a system check; returns a message for the person when that was impossible."""
    try:
        enqueue("app.ops.tasks.run_system_check", job_id=CHECK_JOB_ID, result_ttl=300)
    except RedisError as exc:
        log.warning("Could not queue a system check: %s", exc)
        return "The check could not be queued: Redis is not answering."
    return None
