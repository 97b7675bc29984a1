"""Request quotas: N movies per M days and N seasons per M days, a rolling window per person.

Every request that is not declined or failed counts from the moment it was made; each season
of a show counts once. A limit of 0 means no limit, as in Overseerr. Admins have no limits.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app import audit, settings
from app.extensions import db
from app.models import MediaRequest, RequestQuota
from app.models.base import utcnow
from app.requests import states

KINDS = ("movie", "season")
# Statuses that gave their quota back.
RETURNED = (states.DECLINED, states.FAILED)
MAX_LIMIT = 1000
MAX_DAYS = 365
NOUNS = {"movie": ("movie", "movies"), "season": ("season", "seasons")}


class QuotaExceeded(Exception):
    """Asked for more than the person has left; the message says when more frees up."""


@dataclass(frozen=True)
class Limit:
    kind: str  # movie | season
    limit: int  # 0: no limit
    days: int
    own: bool = False  # the person's own override, not the instance default


@dataclass
class Usage:
    limit: Limit
    used: int = 0
    # When each counted movie or season frees up again, soonest first.
    frees: list[datetime] = field(default_factory=list)

    @property
    def unlimited(self) -> bool:
        return self.limit.limit <= 0

    @property
    def left(self) -> int:
        return max(0, self.limit.limit - self.used)

    @property
    def next_free_at(self) -> datetime | None:
        return self.frees[0] if self.frees else None

    def free_at_for(self, wanted: int) -> datetime | None:
        """When `wanted` more will fit: None if now (or never, when wanted exceeds the limit)."""
        if self.unlimited or wanted <= self.left:
            return None
        needed = wanted - self.left
        if needed > len(self.frees):
            return None
        return self.frees[needed - 1]

    @property
    def line(self) -> str:
        return describe(self)


def limits_for(user) -> dict[str, Limit]:
    """The person's limits: their own override where set, else the instance default."""
    own = db.session.get(RequestQuota, user.id)
    found = {}
    for kind in KINDS:
        limit = getattr(own, f"{kind}_limit", None)
        days = getattr(own, f"{kind}_days", None)
        found[kind] = Limit(
            kind,
            settings.get(f"requests.{kind}_limit") if limit is None else limit,
            max(1, settings.get(f"requests.{kind}_days") if days is None else days),
            own=limit is not None or days is not None,
        )
    return found


def usage(user, kind: str, now: datetime | None = None) -> Usage:
    """How much of one limit the person has used in its window, and when each use frees."""
    limit = limits_for(user)[kind]
    result = Usage(limit)
    if limit.limit <= 0:
        return result
    now = now or utcnow()
    window = timedelta(days=limit.days)
    rows = db.session.execute(
        select(MediaRequest.created_at, MediaRequest.seasons)
        .where(
            MediaRequest.user_id == user.id,
            MediaRequest.media_type == ("movie" if kind == "movie" else "tv"),
            MediaRequest.status.not_in(RETURNED),
            MediaRequest.created_at > now - window,
        )
        .order_by(MediaRequest.created_at)
    ).all()
    for created_at, seasons in rows:
        count = 1 if kind == "movie" else len(seasons or ())
        result.used += count
        result.frees.extend([created_at + window] * count)
    return result


def usages(user, now: datetime | None = None) -> dict[str, Usage] | None:
    """Both limits for the person, or None for admins, who have none."""
    if user.is_admin:
        return None
    return {kind: usage(user, kind, now) for kind in KINDS}


def check(user, media_type: str, count: int, now: datetime | None = None) -> None:
    """Refuse with QuotaExceeded when `count` more movies or seasons do not fit now."""
    if user.is_admin or count <= 0:
        return
    kind = "movie" if media_type == "movie" else "season"
    used = usage(user, kind, now)
    if used.unlimited or count <= used.left:
        return
    one, many = NOUNS[kind]
    span = window_words(used.limit.days)
    if used.limit.limit < count:
        raise QuotaExceeded(
            f"You may request at most {used.limit.limit} {many} {span}; "
            f"this asks for {count}. Choose fewer {many}."
        )
    when = when_words(used.free_at_for(count), now)
    rule = f"{used.limit.limit} {one if used.limit.limit == 1 else many} {span}"
    if kind == "movie" or not used.left:
        raise QuotaExceeded(f"You have used all your requests ({rule}). The next frees up {when}.")
    raise QuotaExceeded(
        f"You asked for {count} {many} but have {used.left} left ({rule}). "
        f"Enough frees up {when}, or choose fewer {many}."
    )


def window_words(days: int) -> str:
    return {1: "a day", 7: "a week", 30: "a month"}.get(days, f"every {days} days")


def when_words(when: datetime | None, now: datetime | None = None) -> str:
    """'on Friday at 14:00 UTC', 'today at 09:30 UTC', 'on 12 Jan at 08:00 UTC'."""
    if when is None:
        return "now"
    now = now or utcnow()
    clock = when.strftime("%H:%M UTC")
    days = (when.date() - now.date()).days
    if days <= 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if days < 7:
        return f"on {when.strftime('%A')} at {clock}"
    return f"on {when.day} {when.strftime('%b')} at {clock}"


def describe(used: Usage, now: datetime | None = None) -> str:
    """'2 of 5 movies left this week; the next frees up on Friday at 14:00 UTC.'"""
    one, many = NOUNS[used.limit.kind]
    if used.unlimited:
        return f"No limit on {many}."
    span = {1: "today", 7: "this week", 30: "this month"}.get(
        used.limit.days, f"in {used.limit.days} days"
    )
    noun = one if used.limit.limit == 1 else many
    text = f"{used.left} of {used.limit.limit} {noun} left {span}"
    if used.next_free_at is not None:
        text += f"; the next frees up {when_words(used.next_free_at, now)}"
    return text + "."


def parse_limit(raw, *, most: int) -> int | None:
    """A limit or a number of days from a form: '' means the default (None)."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) > most:
        raise ValueError(f"Enter a whole number from 0 to {most}, or leave it empty.")
    return int(text)


def set_override(user, values: dict[str, int | None], *, actor) -> bool:
    """Store the person's own limits (None: follow the default); audited. Returns if changed."""
    row = db.session.get(RequestQuota, user.id) or RequestQuota(user_id=user.id)
    old = {key: getattr(row, key, None) for key in values}
    if old == values:
        return False
    for key, value in values.items():
        setattr(row, key, value)
    db.session.add(row)
    details = {
        key: {"old": old[key], "new": values[key]} for key in values if old[key] != values[key]
    }
    audit.record(
        "user.quota_changed", actor=actor, target=user.username, details=details, commit=False
    )
    db.session.commit()
    return True
