"""Subscriptions: a channel or playlist checked on a schedule, with optional retention.

The form is read in subscription_form.py, checks run in subscription_tasks.py, retention in
subscription_retention.py. No request object here.
"""

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.downloads import services, setup, urls
from app.downloads.subscription_form import Choices
from app.extensions import db
from app.models import Download, Subscription, User
from app.models.base import utcnow
from app.models.downloads import SKIPPED

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 1800  # seconds a check (listing and retention) may take


class Refused(Exception):
    """A subscription that cannot be made or changed; the message is for the person."""


class AlreadySubscribed(Refused):
    """This person subscribes to this source already; `subscription` is that one."""

    def __init__(self, subscription: Subscription):
        super().__init__("You already subscribe to this.")
        self.subscription = subscription


def subscribe(user: User, url: str, choices: Choices) -> Subscription:
    """Check and read the address, then commit a subscription whose first check is due now.

    Raises Refused (also AlreadySubscribed), services.Refused, urls.UrlRefused or
    ytdlp.FetchError."""
    source = urls.check(url.strip(), hosts=setup.allowed_hosts(), sites=setup.allowed_sites())
    if source.kind == "video":
        raise Refused(_NOT_A_VIDEO)
    _refuse_existing(user, source.key)
    found = services.preview(user, source.url)
    if found.kind not in ("playlist", "channel"):
        raise Refused(_NOT_A_VIDEO)
    _refuse_existing(user, found.source_key)
    sub = Subscription(
        user_id=user.id,
        source_url=source.url,
        source_key=found.source_key,
        kind=found.kind,
        title=(found.title or found.uploader or source.url)[:500],
        quality=choices.quality,
        interval_minutes=choices.interval_minutes,
        keep_newest=choices.keep_newest,
        keep_days=choices.keep_days,
        next_check_at=utcnow(),
        start_with=choices.start_with,
    )
    db.session.add(sub)
    db.session.commit()
    start_check(sub)
    return sub


_NOT_A_VIDEO = (
    "Subscriptions follow a channel or a playlist; this address is one video. "
    "Add it under Downloads instead, or paste its channel's address."
)


def _refuse_existing(user: User, source_key: str) -> None:
    existing = db.session.scalars(
        select(Subscription).where(
            Subscription.user_id == user.id, Subscription.source_key == source_key
        )
    ).first()
    if existing is not None:
        raise AlreadySubscribed(existing)


def change(sub: Subscription, choices: Choices) -> bool:
    """Save new interval, retention and quality; True if anything changed."""
    before = (sub.quality, sub.interval_minutes, sub.keep_newest, sub.keep_days)
    after = (choices.quality, choices.interval_minutes, choices.keep_newest, choices.keep_days)
    if before == after:
        return False
    sub.quality, sub.interval_minutes, sub.keep_newest, sub.keep_days = after
    if sub.last_checked_at is not None:
        # A shorter interval applies from the last check, not only after the next one.
        sub.next_check_at = min(sub.next_check_at, sub.last_checked_at + _every(sub))
    db.session.commit()
    return True


def set_enabled(sub: Subscription, enabled: bool) -> None:
    """Pause or resume; a resumed subscription is checked soon if a check was missed."""
    sub.enabled = enabled
    if enabled:
        sub.next_check_at = min(sub.next_check_at, utcnow())
    db.session.commit()


def check_now(sub: Subscription) -> None:
    """Make the next check due now and start it."""
    sub.next_check_at = utcnow()
    db.session.commit()
    start_check(sub)


def start_check(sub: Subscription) -> None:
    """Enqueue the check job of a committed subscription (one job per subscription at a time).

    Redis being away loses nothing: the row is due, so the minute's cron starts it later."""
    from app.jobs import enqueue

    try:
        enqueue(
            "app.downloads.subscription_tasks.check_subscription",
            sub.id,
            job_id=f"subscription-{sub.id}",
            job_timeout=CHECK_TIMEOUT,
        )
    except RedisError as exc:
        log.warning("Could not start the check of subscription %s: %s", sub.id, exc)


def unsubscribe(sub: Subscription) -> None:
    """Delete the subscription; its videos stay (their downloads just lose the link)."""
    # Markers of what was already there when the person subscribed hold no files.
    db.session.execute(
        Download.__table__.delete().where(
            Download.subscription_id == sub.id, Download.status == SKIPPED
        )
    )
    db.session.execute(
        update(Download).where(Download.subscription_id == sub.id).values(subscription_id=None)
    )
    db.session.delete(sub)
    db.session.commit()


def may_act(user: User, sub: Subscription) -> bool:
    """Its owner and admins."""
    return user.is_admin or sub.user_id == user.id


def visible(user: User) -> list[Subscription]:
    """A person's own subscriptions; an admin's list holds everyone's. By title."""
    query = (
        select(Subscription)
        .options(selectinload(Subscription.user))
        .order_by(Subscription.title, Subscription.id)
    )
    if not user.is_admin:
        query = query.where(Subscription.user_id == user.id)
    return list(db.session.scalars(query.limit(1000)))


def recent_downloads(sub: Subscription, limit: int = 10) -> list[Download]:
    """The downloads this subscription's checks made, newest first."""
    return list(
        db.session.scalars(
            select(Download)
            .where(Download.subscription_id == sub.id, Download.status != SKIPPED)
            .order_by(Download.id.desc())
            .limit(limit)
        )
    )


def _every(sub: Subscription) -> timedelta:
    return timedelta(minutes=sub.interval_minutes)


def latest_downloads(sub_ids) -> dict[int, int]:
    """{subscription id: its newest download} (not the record of videos passed over)."""
    rows = db.session.execute(
        select(Download.subscription_id, func.max(Download.id))
        .where(Download.subscription_id.in_(list(sub_ids)), Download.status != SKIPPED)
        .group_by(Download.subscription_id)
    )
    return dict(rows.all())
