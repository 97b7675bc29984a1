"""Subscriptions: a channel or playlist checked on a schedule, with optional retention.

The form's values are read here (intervals, counts, quality) so the pages and the CLI share one
set of rules and words. Checking and retention live in subscription_tasks.py and
subscription_retention.py. No request object here.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, timedelta

from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.downloads import services, setup, urls
from app.extensions import db
from app.integrations import ytdlp
from app.models import Download, Subscription, User
from app.models.base import utcnow
from app.models.downloads import SKIPPED

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 1800  # seconds a check (listing and retention) may take
MIN_INTERVAL = 15  # minutes
MAX_INTERVAL = 7 * 24 * 60
DEFAULT_INTERVAL = 6 * 60
DEFAULT_START = 5
MAX_START = 200
MAX_KEEP_NEWEST = 10_000
MAX_KEEP_DAYS = 3650
UNITS = {"m": 1, "h": 60, "d": 24 * 60}
UNIT_WORDS = {
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
}
INTERVAL = re.compile(r"(\d{1,6})\s*([a-z]*)")


class Refused(Exception):
    """A subscription that cannot be made or changed; the message is for the person."""


class AlreadySubscribed(Refused):
    """This person subscribes to this source already; `subscription` is that one."""

    def __init__(self, subscription: Subscription):
        super().__init__("You already subscribe to this.")
        self.subscription = subscription


@dataclass(frozen=True)
class Choices:
    """What a person chose in the subscription form, checked."""

    quality: str = "best"
    interval_minutes: int = DEFAULT_INTERVAL
    keep_newest: int | None = None
    keep_days: int | None = None
    start_with: int = DEFAULT_START


def parse_interval(raw) -> int:
    """Minutes from "30m", "6h", "2 days" or a bare number of minutes; ValueError in words."""
    text = str(raw or "").strip().lower()
    match = INTERVAL.fullmatch(text) if text.isascii() and len(text) <= 20 else None
    unit = UNIT_WORDS.get(match.group(2) or "m") if match else None
    if unit is None:
        raise ValueError("Write how often as minutes, hours or days, like 30m, 6h or 2d.")
    minutes = int(match.group(1)) * UNITS[unit]
    if minutes < MIN_INTERVAL:
        raise ValueError("Check at most every 15 minutes: sites refuse callers who ask more.")
    if minutes > MAX_INTERVAL:
        raise ValueError("Check at least once every 7 days.")
    return minutes


def format_interval(minutes: int) -> str:
    """The short form the field shows again: "6h", "2d", "90m"."""
    for unit in ("d", "h"):
        if minutes % UNITS[unit] == 0:
            return f"{minutes // UNITS[unit]}{unit}"
    return f"{minutes}m"


def interval_words(minutes: int) -> str:
    """ "every 6 hours", "every day", "every 90 minutes"."""
    for unit, noun in (("d", "day"), ("h", "hour"), ("m", "minute")):
        if minutes % UNITS[unit] == 0:
            n = minutes // UNITS[unit]
            return f"every {noun}" if n == 1 else f"every {n} {noun}s"
    return f"every {minutes} minutes"


def due_words(when) -> str:
    """ "in 3 hours", "in 20 minutes", "due now" for the next check."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    minutes = round((when - utcnow()).total_seconds() / 60)
    if minutes < 1:
        return "due now"
    for noun, size in (("day", 24 * 60), ("hour", 60), ("minute", 1)):
        if minutes >= size:
            n = round(minutes / size)
            return f"in {n} {noun}{'s' if n != 1 else ''}"
    return "due now"


def parse_count(raw, *, label: str, least: int, most: int, empty=None) -> int | None:
    """A whole number in least..most from a form field; empty gives `empty`."""
    text = str(raw or "").strip()
    if not text:
        return empty
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(f"{label}: write a whole number, like 10.")
    value = int(text)
    if not least <= value <= most:
        raise ValueError(f"{label}: from {least} to {most:,}.")
    return value


def retention_words(keep_newest: int | None, keep_days: int | None) -> str:
    """How retention reads on the list: "Keeps all", "Newest 10, last 30 days"."""
    parts = []
    if keep_newest:
        parts.append(f"newest {keep_newest}")
    if keep_days:
        parts.append(f"last {keep_days} day{'s' if keep_days != 1 else ''}")
    return ("Keeps the " + " and the ".join(parts)) if parts else "Keeps all"


def read_choices(form, *, new: bool) -> tuple[Choices, dict[str, str]]:
    """The checked choices of a submitted form and the errors by field name."""
    errors: dict[str, str] = {}
    values: dict = {}
    quality = str(form.get("quality") or "best")
    if quality not in ytdlp.QUALITIES:
        errors["quality"] = "Choose one of the qualities listed."
    values["quality"] = quality
    fields = {
        "interval_minutes": ("interval", parse_interval),
        "keep_newest": ("keep_newest", _count("Keep the newest", 1, MAX_KEEP_NEWEST)),
        "keep_days": ("keep_days", _count("Keep the last days", 1, MAX_KEEP_DAYS)),
    }
    if new:
        fields["start_with"] = ("start_with", _count("Start with", 0, MAX_START, DEFAULT_START))
    for key, (name, parse) in fields.items():
        raw = form.get(name)
        if key == "interval_minutes" and not str(raw or "").strip():
            raw = format_interval(DEFAULT_INTERVAL)
        try:
            values[key] = parse(raw)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        return Choices(), errors
    return Choices(**values), errors


def _count(label: str, least: int, most: int, empty=None):
    return lambda raw: parse_count(raw, label=label, least=least, most=most, empty=empty)


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
        # Until the first check, last_new holds how many of the newest videos to start with.
        last_new=choices.start_with,
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
    query = select(Subscription).order_by(Subscription.title, Subscription.id)
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
