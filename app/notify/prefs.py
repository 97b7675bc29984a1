"""What each person wants: ways per event type (defaults from events.py), quiet hours, digests."""

from datetime import UTC, date, datetime, time, timedelta
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


def zone_of(profile: NotifyProfile) -> ZoneInfo:
    """The person's timezone; UTC when theirs is unset or no longer known."""
    try:
        return ZoneInfo(profile.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_hhmm(text: str | None) -> time | None:
    """ "07:30" -> time(7, 30); None for anything else."""
    text = (text or "").strip()
    if len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit():
        return None
    hour, minute = int(text[:2]), int(text[3:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    # Wall-clock time on that day, then UTC: a time skipped or repeated by DST resolves the way
    # zoneinfo reads it (fold=0), so a period never vanishes or runs twice.
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def quiet_until(profile: NotifyProfile, now: datetime) -> datetime | None:
    """The end (UTC) of the quiet period `now` falls in, or None when it is not quiet now."""
    start, end = parse_hhmm(profile.quiet_start), parse_hhmm(profile.quiet_end)
    if start is None or end is None or start == end:
        return None
    zone, now = zone_of(profile), _aware(now)
    today = now.astimezone(zone).date()
    # The period that began yesterday may run over midnight into today.
    for day in (today - timedelta(days=1), today):
        begins = _at(day, start, zone)
        ends = _at(day + timedelta(days=1) if end <= start else day, end, zone)
        if begins <= now < ends:
            return ends
    return None


def digest_due_at(profile: NotifyProfile, now: datetime) -> datetime:
    """The next digest hour (UTC) at or after `now`, in the person's timezone."""
    zone, now = zone_of(profile), _aware(now)
    hour = min(max(int(profile.digest_hour if profile.digest_hour is not None else 8), 0), 23)
    today = now.astimezone(zone).date()
    due = _at(today, time(hour), zone)
    # Tomorrow's hour starts after today's local midnight, so it is always ahead of now.
    return due if due >= now else _at(today + timedelta(days=1), time(hour), zone)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def own_email_confirmed(user_id: int | None) -> bool:
    """True once the person confirmed an address of their own: sign-in no longer replaces it."""
    if user_id is None:
        return False
    found = db.session.get(NotifyProfile, user_id)
    return found is not None and found.email_verified_at is not None
