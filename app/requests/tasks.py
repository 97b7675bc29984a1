"""Jobs that deliver requests to Overseerr and keep ours in step with it.

deliver_action claims one outbox row and tells Overseerr; deliver_due drains every due row (many
at once after an outage, without a job per row); sweep_actions starts them for rows whose retry
is due; reconcile_requests polls Overseerr for requests that are not final yet, because Overseerr
sends each webhook once and never again.
"""

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.after_commit import after_commit
from app.extensions import db
from app.integrations import overseerr
from app.jobs import enqueue
from app.models import MediaRequest, RequestAction
from app.models.base import utcnow
from app.requests import actions, delivery, states
from app.requests import overseerr_sync as sync

log = logging.getLogger(__name__)

SWEEP_BATCH = 2000
DRAINERS = 4  # jobs that drain due actions side by side
DRAIN_AT_ONCE = 20  # more due than this: drain them instead of a job each
LEASE = timedelta(minutes=5)  # a drained row is ours this long, should the worker die


def _client():
    client = overseerr.client()
    client.on_recovered = release_waiting
    return client


def _claim(action_id: int) -> RequestAction | None:
    """The pending, due row, locked for this job; None if it is done, not due or taken."""
    query = select(RequestAction).where(RequestAction.id == action_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    action = db.session.scalars(query).first()
    if action is None or action.state != "pending":
        return None
    if action.due_at > utcnow() + timedelta(seconds=1):
        return None  # a retry that is not due yet: the sweeper brings it back
    if db.engine.dialect.name != "postgresql":
        # No row locks here: take it as the drainers do, by moving its due time past a lease.
        if not _lease(action.id, action.due_at):
            return None
        action = db.session.get(RequestAction, action.id)
    return action


def _lease(action_id: int, seen_due_at) -> bool:
    """Take a pending row whose due time is still what we saw; False if another job took it."""
    taken = db.session.execute(
        update(RequestAction)
        .where(
            RequestAction.id == action_id,
            RequestAction.state == "pending",
            RequestAction.due_at == seen_due_at,
        )
        .values(due_at=utcnow() + LEASE)
    )
    db.session.commit()
    return taken.rowcount == 1


def deliver_action(action_id: int) -> str:
    """Tell Overseerr about one request action; safe to run twice."""
    action = _claim(action_id)
    if action is None:
        db.session.rollback()
        return "skipped"
    req = db.session.get(MediaRequest, action.request_id)
    client = _client()
    outcome = actions.run(client, req, action)
    db.session.commit()
    if outcome == "waiting" and client.breaker.is_open():
        _drop_queued_deliveries()
    return outcome


def _drop_queued_deliveries() -> None:
    """While Overseerr is away, take the one-row jobs off the queue (once per outage).

    Each would only find the breaker open, and after a burst of requests they would keep the
    workers busy long after Overseerr is back. Their rows stay pending: the sweeper drains them.
    """
    from app.extensions import get_queue, redis_conn

    try:
        if not redis_conn().set("medianest:overseerr:queue-dropped", "1", nx=True, ex=60):
            return
        queue = get_queue("default")
        for job_id in queue.get_job_ids():
            if job_id.startswith("request-action-"):
                job = queue.fetch_job(job_id)
                if job is not None:
                    job.delete()
    except RedisError as exc:
        log.info("Could not thin the queue: %s", exc)


def _lease_next() -> RequestAction | None:
    """Take the next due row by moving its due time past the lease (works on every database)."""
    now = utcnow()
    for _ in range(5):
        found = db.session.execute(
            select(RequestAction.id, RequestAction.due_at)
            .where(RequestAction.state == "pending", RequestAction.due_at <= now)
            .order_by(RequestAction.due_at, RequestAction.id)
            .limit(1)
        ).first()
        if found is None:
            db.session.rollback()
            return None
        if _lease(found.id, found.due_at):
            return db.session.get(RequestAction, found.id)
    return None  # others are draining the same rows: leave the rest to them


def deliver_due(limit: int = 1000) -> int:
    """Deliver due actions one after another until none is due; returns how many were tried."""
    client, tried = _client(), 0
    while tried < limit:
        action = _lease_next()
        if action is None:
            break
        tried += 1
        req = db.session.get(MediaRequest, action.request_id)
        outcome = actions.run(client, req, action)
        db.session.commit()
        if outcome == "waiting" and client.breaker.is_open():
            break  # everything else would wait too
    return tried


def _start_drainers(count: int) -> None:
    for number in range(min(DRAINERS, max(1, count // DRAIN_AT_ONCE))):
        enqueue("app.requests.tasks.deliver_due", job_id=f"request-drain-{number}")


def release_waiting() -> int:
    """Overseerr answers again: everything waiting is due now, started once committed."""
    now = utcnow()
    result = db.session.execute(
        update(RequestAction)
        .where(RequestAction.state == "pending", RequestAction.due_at > now)
        .values(due_at=now)
    )
    count = result.rowcount or 0
    after_commit(lambda: _start_drainers(max(count, DRAIN_AT_ONCE)))
    return count


def sweep_actions() -> int:
    """Start delivery of every pending action whose time has come (lost jobs, retries)."""
    ids = db.session.scalars(
        select(RequestAction.id)
        .where(RequestAction.state == "pending", RequestAction.due_at <= utcnow())
        .order_by(RequestAction.due_at)
        .limit(SWEEP_BATCH)
    ).all()
    db.session.rollback()
    if len(ids) > DRAIN_AT_ONCE:
        _start_drainers(len(ids))
        return len(ids)
    for action_id in ids:
        delivery._enqueue(action_id)
    return len(ids)


def reconcile_requests(limit: int = 500) -> int:
    """Ask Overseerr about each delivered request that is not final; advance what moved."""
    if not delivery.overseerr_configured():
        return 0
    open_ones = db.session.scalars(
        select(MediaRequest)
        .where(
            MediaRequest.overseerr_id.is_not(None),
            MediaRequest.status.in_(states.ACTIVE),
        )
        .order_by(MediaRequest.updated_at)
        .limit(limit)
    ).all()
    client, moved = overseerr.client(), 0
    for req in open_ones:
        try:
            answer = client.request(req.overseerr_id)
        except overseerr.NotFound:
            continue
        except overseerr.OverseerrError as exc:
            log.info("Reconciling requests stopped: %s", exc)
            break
        moved += sync.apply(req, answer, source="poll")
    db.session.commit()
    return moved
