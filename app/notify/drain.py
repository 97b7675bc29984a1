"""Drainers: a few jobs send what is due, destination after destination, from one Redis set.

A job per destination cost a work horse each and queued the fan-out behind hundreds of them. A
drainer takes destinations from a sorted set (score: when it may send) until none is due or its
time is up, then hands over to a fresh job at the back of the queue, so other work goes
between. The set only says where to look: the deliveries in the database stay the truth, and
the sweeper rebuilds the set from them after Redis forgets it.
"""

import logging
import time
import uuid

from flask import current_app
from redis.exceptions import RedisError

from app.extensions import db, redis_conn
from app.jobs import enqueue
from app.notify.deliver import deliver, window_left

log = logging.getLogger(__name__)

DUE_KEY = "medianest:notify:due"  # target_key -> epoch seconds it may be sent from
QUEUED_KEY = "medianest:notify:drainer-queued:"  # a drainer of this slot waits in the queue
LEASE_KEY = "medianest:notify:drainer:"  # a drainer of this slot is running
KEY_LOCK = "medianest:notify:sending:"  # a drainer is sending to this destination
BUDGET_SECONDS = 10.0  # then the drainer gives its worker back to the queue
QUEUED_FOR_MS = 60_000  # a lost queued drainer is replaced after this


def _slots() -> range:
    return range(max(1, int(current_app.config["NOTIFY_DRAINERS"])))


def _lease_ms() -> int:
    """A killed drainer's destinations are free again after four send timeouts."""
    return int(float(current_app.config["NOTIFY_TIMEOUT"]) * 4000)


def mark_due(keys, at: dict | None = None) -> None:
    """Note destinations to look at: now, or at[key] (epoch seconds) when it is later.
    An earlier time already noted wins (LT): a destination is never put off by this."""
    now = time.time()
    scores = {key: max(now, (at or {}).get(key, now)) for key in keys}
    if scores:
        redis_conn().zadd(DUE_KEY, scores, lt=True)


def anything_due() -> bool:
    return bool(redis_conn().zrangebyscore(DUE_KEY, "-inf", time.time(), start=0, num=1))


def start_drainers(slots=None) -> None:
    """Queue a drainer for each slot that has none waiting (a running one does not count: it
    may be about to stop)."""
    conn = redis_conn()
    for slot in _slots() if slots is None else slots:
        if conn.set(QUEUED_KEY + str(slot), "1", nx=True, px=QUEUED_FOR_MS):
            enqueue("app.notify.drain.drain", slot, job_timeout=int(BUDGET_SECONDS * 4 + 60))


def _pop_due(conn) -> str | None:
    """The destination due longest, taken out of the set; None when none is due yet."""
    popped = conn.zpopmin(DUE_KEY)
    if not popped:
        return None
    key, score = popped[0]
    key = key.decode() if isinstance(key, bytes) else key
    if score <= time.time():
        return key
    conn.zadd(DUE_KEY, {key: score}, nx=True)  # not yet: put it back, unless re-noted
    return None


def _send_to(conn, key: str, token: str) -> int:
    lock = KEY_LOCK + key
    if not conn.set(lock, token, nx=True, px=_lease_ms()):
        mark_due([key], {key: time.time() + 1})  # another drainer is on it: look again soon
        return 0
    try:
        sent = deliver(key)
    except Exception:  # one destination's fault must not stop the others; the sweeper retries
        log.exception("Could not deliver to %s", key)
        db.session.rollback()
        return 0
    else:
        wait = window_left(key)
        if not sent and wait > 0:
            # Its window is open: what waits goes out when it closes, as one message.
            mark_due([key], {key: time.time() + wait})
        return sent
    finally:
        if conn.get(lock) == token.encode():
            conn.delete(lock)


def _run(conn, slot: int, token: str) -> tuple[int, bool]:
    """Send until nothing is due or the budget is spent; (sent, whether work is left)."""
    lease, sent = LEASE_KEY + str(slot), 0
    deadline = time.monotonic() + BUDGET_SECONDS
    while time.monotonic() < deadline:
        conn.set(lease, token, px=_lease_ms())
        key = _pop_due(conn)
        if key is None:
            return sent, False
        sent += _send_to(conn, key, token)
    return sent, True


def drain(slot: int) -> int:
    """The drainer job of one slot. Returns how many deliveries it sent."""
    if not isinstance(slot, int):
        return 0
    conn, token, sent = redis_conn(), uuid.uuid4().hex, 0
    conn.delete(QUEUED_KEY + str(slot))
    lease = LEASE_KEY + str(slot)
    while conn.set(lease, token, nx=True, px=_lease_ms()):
        done, left = _run(conn, slot, token)
        sent += done
        if conn.get(lease) == token.encode():
            conn.delete(lease)
        if left:
            start_drainers([slot])  # the rest in a fresh job, after what else waits
            break
        # Released, then looked again: a destination noted in between is not left waiting.
        if not anything_due():
            break
    return sent


def start_for(keys) -> None:
    """Fan-out's and the sweeper's way in: note the destinations, queue drainers."""
    try:
        mark_due(keys)
        start_drainers()
    except RedisError as exc:  # the sweeper finds them in the database
        log.warning("Could not queue notification deliveries: %s", exc)
