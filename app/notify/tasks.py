"""The sweeper: what a lost job, a killed worker or a retry left waiting is started again.

The worker imports this module (through app.schedule) before it forks a work horse per job, so
Apprise's plugins are loaded here once instead of in every job (0.4 s each time).
"""

import logging
from datetime import UTC, timedelta

import apprise
from flask import current_app
from redis.exceptions import RedisError
from rq.job import JobStatus
from sqlalchemy import select, update

from app.extensions import db, get_queue
from app.models import Delivery, NotifyEvent
from app.models.base import utcnow
from app.models.notify import PENDING, SENDING
from app.notify.deliver import WAITING
from app.notify.fanout import deliver_job_id, enqueue_delivery
from app.notify.outbox import enqueue_fanout

log = logging.getLogger(__name__)

SWEEP_BATCH = 2000
UNFANNED_AFTER = timedelta(seconds=5)  # younger events still have their own fan-out job coming

apprise.Apprise().add("json://localhost/")  # loads every plugin: the work horses inherit them


def _stale_before(now):
    return now - timedelta(seconds=float(current_app.config["NOTIFY_TIMEOUT"]) * 4)


def _release_stale(now) -> int:
    """Claims older than four send timeouts belong to a worker that died: due again now."""
    stale = _stale_before(now)
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.state == SENDING, Delivery.claimed_at < stale)
        .values(state=PENDING, due_at=now, claimed_at=None)
        .values(last_error="The worker sending it stopped; it is sent again.")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _unstick(target_key: str, stale) -> None:
    """A delivery job "started" long ago lost its worker: mark it failed so it can run again.

    Otherwise the one-job-per-destination rule would skip the destination until RQ itself
    notices the dead worker, many minutes later."""
    job = get_queue("default").fetch_job(deliver_job_id(target_key))
    if job is None or job.get_status(refresh=False) != JobStatus.STARTED:
        return
    started = job.started_at.replace(tzinfo=UTC) if job.started_at else None
    if started is not None and started < stale:
        job.set_status(JobStatus.FAILED)


def _enqueue_due(keys, stale) -> None:
    for key in keys:
        try:
            _unstick(key, stale)
            enqueue_delivery(key)
        except RedisError as exc:  # the next sweep tries again
            log.warning("Could not enqueue notification work: %s", exc)
            return


def _enqueue_all(func, values) -> None:
    for value in values:
        try:
            func(value)
        except RedisError as exc:  # the next sweep tries again
            log.warning("Could not enqueue notification work: %s", exc)
            return


def sweep() -> int:
    """Every minute: fan out events left unfanned, enqueue destinations with due deliveries, and
    take back claims a killed worker left behind."""
    now = utcnow()
    released = _release_stale(now)
    unfanned = db.session.scalars(
        select(NotifyEvent.id)
        .where(NotifyEvent.fanned_out_at.is_(None), NotifyEvent.created_at <= now - UNFANNED_AFTER)
        .order_by(NotifyEvent.id)
        .limit(SWEEP_BATCH)
    ).all()
    due = db.session.scalars(
        select(Delivery.target_key)
        .where(Delivery.state.in_(WAITING), Delivery.due_at <= now)
        .distinct()
        .limit(SWEEP_BATCH)
    ).all()
    db.session.commit()
    _enqueue_all(enqueue_fanout, unfanned)
    _enqueue_due(due, _stale_before(now))
    return released + len(unfanned) + len(due)
