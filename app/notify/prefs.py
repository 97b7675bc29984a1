"""What each person wants: ways per event type (defaults from events.py), quiet hours, digests."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from app.extensions import db
from app.models import NotifyPref, NotifyProfile
from app.notify.events import EMAIL, IN_APP, TARGETS, event_type


def ways_for(user_ids, type_key: str) -> dict[int, set[str]]:
    """For each person, the ways they want events of this type (their choice, else the default)."""
    default = set(event_type(type_key).ways)
    chosen = (
        {
            row.user_id: row
            for row in db.session.scalars(
                select(NotifyPref).where(
                    NotifyPref.user_id.in_(list(user_ids)), NotifyPref.event_type == type_key
                )
            )
        }
        if user_ids
        else {}
    )
    out = {}
    for uid in user_ids:
        row = chosen.get(uid)
        if row is None:
            out[uid] = set(default)
        else:
            out[uid] = {
                w
                for w, on in ((IN_APP, row.in_app), (EMAIL, row.email), (TARGETS, row.targets))
                if on
            }
    return out


def profile(user_id: int) -> NotifyProfile:
    """The person's delivery settings; a default (unsaved until changed) when they have none."""
    found = db.session.get(NotifyProfile, user_id)
    return found if found is not None else NotifyProfile(user_id=user_id)


def _local_time(text: str | None):
    try:
        hour, minute = (int(part) for part in (text or "").split(":"))
        return time(hour, minute)
    except ValueError:
        return None


def _zone(profile: NotifyProfile):
    try:
        return ZoneInfo(profile.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def quiet_until(profile: NotifyProfile, now: datetime) -> datetime | None:
    """When the person's quiet hours end, if now is inside them; None means "now"."""
    start, end = _local_time(profile.quiet_start), _local_time(profile.quiet_end)
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(_zone(profile))
    at = local.time().replace(second=0, microsecond=0)
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if ends <= local:
        ends += timedelta(days=1)
    return ends.astimezone(UTC)


def digest_due_at(profile: NotifyProfile, now: datetime) -> datetime | None:
    """With the daily digest on, the next digest hour in the person's time zone; else None."""
    if not profile.digest:
        return None
    local = now.astimezone(_zone(profile))
    hour = min(max(int(profile.digest_hour or 0), 0), 23)
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return due.astimezone(UTC)
