"""The delivery job: everything due for one destination goes out as one message."""

import logging
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from app import settings
from app.after_commit import after_commit
from app.crypto import SecretUnreadable
from app.extensions import db, redis_conn
from app.jobs import enqueue
from app.models import Delivery, NotifyChannel, NotifyEvent, PersonTarget, User
from app.models.base import utcnow
from app.models.notify import CANCELLED, FAILED, PENDING, RETRYING, SENDING, SENT
from app.notify import channels
from app.notify.compose import alone, compose, plain
from app.notify.events import is_verification
from app.notify.transports import Message, Outcome, parse_smtp_url, send_apprise, send_email

log = logging.getLogger(__name__)

WAITING = (PENDING, RETRYING)
MAX_PER_MESSAGE = 250  # a longer flood goes on in the next message
LAST_SENT_KEY = "medianest:notify:sent:"
NO_SMTP = "Email is not set up: an admin can add it under Admin → Notifications."
MAX_ID = 2**63 - 1


def _config(name: str) -> float:
    return float(current_app.config[name])


# -- the batching window: one message per destination per NOTIFY_BATCH_SECONDS -----------------


def window_left(target_key: str) -> float:
    """Seconds until the destination may get its next message (0 when it may now)."""
    try:
        milliseconds = redis_conn().pttl(LAST_SENT_KEY + target_key)
    except RedisError as exc:  # without Redis the window is forgotten: send rather than wait
        log.info("Could not read the last send to %s: %s", target_key, exc)
        return 0.0
    return max(milliseconds, 0) / 1000


def windows_left(target_keys: list[str]) -> dict[str, float]:
    """window_left of many destinations in one round trip (raises RedisError)."""
    pipe = redis_conn().pipeline(transaction=False)
    for key in target_keys:
        pipe.pttl(LAST_SENT_KEY + key)
    return {key: max(ms, 0) / 1000 for key, ms in zip(target_keys, pipe.execute(), strict=True)}


def _mark_sent_now(target_key: str) -> None:
    milliseconds = int(_config("NOTIFY_BATCH_SECONDS") * 1000)
    if milliseconds <= 0:
        return
    try:
        redis_conn().set(LAST_SENT_KEY + target_key, "1", px=milliseconds)
    except RedisError as exc:
        log.info("Could not note the send to %s: %s", target_key, exc)


# -- claiming ------------------------------------------------------------------------------------


def _due(target_key: str, now):
    return (
        select(Delivery.id)
        .where(
            Delivery.target_key == target_key,
            Delivery.state.in_(WAITING),
            Delivery.due_at <= now,
        )
        .order_by(Delivery.id)
        .limit(MAX_PER_MESSAGE)
    )


def _verifications_due(target_key: str, now) -> list[int]:
    """Due address confirmations: they do not wait for the batching window."""
    if not target_key.startswith("email:"):
        return []
    rows = db.session.execute(
        select(Delivery.id, NotifyEvent)
        .join(NotifyEvent, NotifyEvent.id == Delivery.event_id)
        .where(Delivery.id.in_(_due(target_key, now).scalar_subquery()))
    ).all()
    return [row_id for row_id, event in rows if is_verification(event)]


def _claim(target_key: str, now, only: list[int] | None = None) -> list[Delivery]:
    """Take the destination's due rows for this job (state sending); others skip them."""
    inner = _due(target_key, now)
    if only is not None:
        inner = inner.where(Delivery.id.in_(only))
    if db.engine.dialect.name == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    taken = db.session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(inner.scalar_subquery()), Delivery.state.in_(WAITING))
        .values(state=SENDING, claimed_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not taken:
        return []
    return list(
        db.session.scalars(select(Delivery).where(Delivery.id.in_(taken)).order_by(Delivery.id))
    )


# -- settling ------------------------------------------------------------------------------------


def _ours(ids):
    """Rows still claimed by this job (the sweeper may have taken back a stale claim)."""
    return update(Delivery).where(Delivery.id.in_(ids), Delivery.state == SENDING)


def _settle_sent(rows: list[Delivery], now) -> None:
    db.session.execute(
        _ours([r.id for r in rows])
        .values(state=SENT, sent_at=now, attempts=Delivery.attempts + 1, last_error="")
        .values(claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def _settle_cancelled(rows: list[Delivery], reason: str) -> None:
    db.session.execute(
        _ours([r.id for r in rows])
        .values(state=CANCELLED, last_error=reason[:500], claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, capped."""
    first, cap = _config("NOTIFY_RETRY_SECONDS"), _config("NOTIFY_RETRY_MAX_SECONDS")
    return min(first * 2 ** max(attempts - 1, 0), cap)


def _settle_failed(rows: list[Delivery], outcome: Outcome, now) -> None:
    limit = int(_config("NOTIFY_ATTEMPTS"))
    for row in rows:
        attempts = row.attempts + 1
        if outcome.final or attempts >= limit:
            values = {"state": FAILED}
        else:
            values = {"state": RETRYING, "due_at": now + timedelta(seconds=backoff(attempts))}
        db.session.execute(
            _ours([row.id])
            .values(attempts=attempts, last_error=outcome.reason[:500], claimed_at=None, **values)
            .execution_options(synchronize_session=False)
        )


def _settle(rows: list[Delivery], outcome: Outcome) -> None:
    now = utcnow()
    if outcome.ok:
        _settle_sent(rows, now)
    else:
        _settle_failed(rows, outcome, now)
    db.session.commit()


def _renew(rows: list[Delivery]) -> None:
    """Still working on them: a long run of sends is not taken for a killed worker's claim."""
    db.session.execute(
        _ours([r.id for r in rows])
        .values(claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# -- destinations --------------------------------------------------------------------------------


def _split(target_key: str) -> tuple[str, int] | None:
    kind, _, number = target_key.partition(":")
    if kind not in ("channel", "email", "target") or not number.isdigit():
        return None
    value = int(number)
    return (kind, value) if 0 < value <= MAX_ID else None


def _person_gone(user: User | None) -> str:
    if user is None:
        return "The account was deleted."
    return "The account is disabled." if user.disabled else ""


def _apprise_url(kind: str, number: int) -> tuple[str, str]:
    """(url, "") to send through, or ("", why the delivery is cancelled)."""
    if kind == "channel":
        row = db.session.get(NotifyChannel, number)
        if row is None:
            return "", "The channel was deleted."
        if not row.enabled:
            return "", "The channel is turned off."
    else:
        row = db.session.get(PersonTarget, number)
        if row is None:
            return "", "The person removed this destination."
        gone = _person_gone(db.session.get(User, row.user_id))
        if gone:
            return "", gone
    try:
        return channels.url_of(row), ""
    except SecretUnreadable:
        return "", "Its URL was saved under another secret key: enter it again."


def _send_through_apprise(url: str, message: Message, events: list[NotifyEvent]) -> Outcome:
    keep_html = any(alone(event) for event in events)
    chosen = message if keep_html else plain(message)
    return send_apprise(url, chosen, timeout=_config("NOTIFY_TIMEOUT"))


def _smtp():
    url = settings.get("notify.smtp_url") or current_app.config.get("SMTP_URL") or ""
    server = parse_smtp_url(url)
    if server is None:
        return None, ""
    sender = settings.get("notify.smtp_from") or current_app.config.get("SMTP_FROM") or ""
    return server, sender or f"MediaNest <medianest@{server.host}>"


def _address(user: User, events: list[NotifyEvent]) -> str:
    """Read now, not when the event happened: a changed address gets what is still waiting."""
    if len(events) == 1 and is_verification(events[0]):
        return events[0].data["to"]
    return user.email or ""


def _send_email(user: User, message: Message, events: list[NotifyEvent]) -> Outcome | str:
    """The outcome, or the reason the delivery is cancelled."""
    address = _address(user, events)
    if not address:
        return "There is no confirmed email address to send to."
    server, sender = _smtp()
    if server is None:
        return Outcome(False, NO_SMTP)
    return send_email(server, sender, address, message, timeout=_config("NOTIFY_TIMEOUT"))


# -- the job -------------------------------------------------------------------------------------


def _goes_alone(event: NotifyEvent) -> bool:
    return alone(event) or is_verification(event)


def _groups(rows: list[Delivery], events: dict[int, NotifyEvent]) -> list[list[Delivery]]:
    """One message for the rest; a newsletter or an address confirmation goes alone."""
    by_itself = {r.id for r in rows if _goes_alone(events[r.event_id])}
    together = [r for r in rows if r.id not in by_itself]
    return ([together] if together else []) + [[r] for r in rows if r.id in by_itself]


def _send_group(kind: str, number: int, group: list[Delivery], events) -> Outcome | str:
    batch = [events[r.event_id] for r in group]
    message = compose(batch)
    if kind == "email":
        user = db.session.get(User, number)
        return _person_gone(user) or _send_email(user, message, batch)
    url, gone = _apprise_url(kind, number)
    return gone or _send_through_apprise(url, message, batch)


def _deliver_claimed(target_key: str, rows: list[Delivery]) -> int:
    kind, number = _split(target_key)
    events = {
        e.id: e
        for e in db.session.scalars(
            select(NotifyEvent).where(NotifyEvent.id.in_({r.event_id for r in rows}))
        )
    }
    # Detached, the rows and events keep what was read: each commit below would otherwise
    # expire them, and reading them again cost a query per event of a long message.
    for obj in (*rows, *events.values()):
        db.session.expunge(obj)
    sent = 0
    for group in _groups(rows, events):
        _renew(group)
        outcome = _send_group(kind, number, group, events)
        if isinstance(outcome, str):
            _settle_cancelled(group, outcome)
            db.session.commit()
            continue
        _settle(group, outcome)
        if outcome.ok:
            sent += len(group)
            _mark_sent_now(target_key)
    return sent


def deliver(target_key: str, ignore_window: bool = False) -> int:
    """Claim the destination's due deliveries, send one message (a list when there are several),
    and mark them sent, or retrying with backoff, or failed with the reason after
    NOTIFY_ATTEMPTS. A destination gets at most one message per NOTIFY_BATCH_SECONDS. The
    address is read at send time: a change while a delivery waits goes to the new address.
    Returns how many deliveries it sent."""
    if not isinstance(target_key, str) or _split(target_key) is None:
        return 0
    now = utcnow()
    only = None
    if not ignore_window and window_left(target_key) > 0:
        only = _verifications_due(target_key, now)  # the rest waits for the window to pass
        if not only:
            db.session.rollback()
            return 0
    rows = _claim(target_key, now, only)
    return _deliver_claimed(target_key, rows) if rows else 0


# -- resend ---------------------------------------------------------------------------------------


def resend(delivery_id: int) -> bool:
    """An admin's resend of a failed (or sent) delivery: a new attempt now."""
    if not isinstance(delivery_id, int) or not 0 < delivery_id <= MAX_ID:
        return False
    row = db.session.get(Delivery, delivery_id)
    if row is None or row.state not in (FAILED, SENT):
        return False
    row.state, row.due_at, row.attempts = PENDING, utcnow(), 0
    row.last_error, row.sent_at, row.claimed_at = "", None, None
    key, job_id = row.target_key, f"notify-resend-{row.id}"
    after_commit(lambda: enqueue("app.notify.deliver.deliver", key, True, job_id=job_id))
    db.session.commit()
    return True
