"""The status card's data, and asking for a check now."""

import logging

from redis.exceptions import RedisError

from app.extensions import get_queue
from app.jobs import enqueue
from app.ops.services import latest_check, status_view
from app.ops.tasks import CHECK_JOB_ID

log = logging.getLogger(__name__)


def current_status() -> dict | None:
    return status_view(latest_check())


def check_running() -> bool:
    """Whether a system check is waiting or running right now."""
    try:
        job = get_queue().fetch_job(CHECK_JOB_ID)
        return job is not None and job.get_status(refresh=False) in {"queued", "started"}
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
