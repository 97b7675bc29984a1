"""The sweeper: what a lost job, a killed worker or a retry left waiting is started again.

The worker imports this module (through app.schedule) before it forks a work horse per job, so
Apprise's plugins are loaded here once instead of in every job (0.4 s each time).
"""

import logging
import time
from datetime import timedelta

import apprise
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.extensions import db
from app.models import Delivery, NotifyEvent
from app.models.base import utcnow
from app.models.notify import PENDING, SENDING
from app.notify.deliver import WAITING, windows_left
from app.notify.drain import anything_due, mark_due, start_drainers
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


def _note_due(keys) -> None:
    """Destinations with deliveries due, noted for the drainers from when each may send (its
    batching window): the set is rebuilt from the database if Redis forgot it."""
    if not keys:
        return
    try:
        waits = windows_left(list(keys))
        now = time.time()
        mark_due(keys, {key: now + wait for key, wait in waits.items()})
        if anything_due():
            start_drainers()
    except RedisError as exc:  # the next sweep tries again
        log.warning("Could not queue notification deliveries: %s", exc)


def _enqueue_all(func, values) -> None:
    for value in values:
        try:
            func(value)
        except RedisError as exc:  # the next sweep tries again
            log.warning("Could not enqueue notification work: %s", exc)
            return


def sweep() -> int:
    """Every few seconds: fan out events left unfanned, note destinations with due deliveries
    for the drainers, and take back claims a killed worker left behind."""
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
    _note_due(due)
    return released + len(unfanned) + len(due)
