"""A person's choices: which ways for each event type, quiet hours, digests and the newsletter."""

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from app import audit
from app.extensions import db
from app.models import NotifyPref, User
from app.notify.events import EMAIL, IN_APP, TARGETS, WAYS, choosable
from app.notify.prefs import parse_hhmm, ways_for
from app.notify.profile_email import Result, editable_profile

NEWSLETTER = {"off": "Off", "daily": "Daily", "weekly": "Weekly"}


@dataclass(frozen=True)
class Row:
    """One line of the choices table."""

    key: str
    label: str
    ways: frozenset


@cache
def timezones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() | {"UTC"}))


def field_name(type_key: str, way: str) -> str:
    return f"{type_key}:{way}"


def rows_for(user: User) -> list[Row]:
    """Every type the person may choose for, with the ways in effect now."""
    kinds = choosable(user.is_admin)
    current = {kind.key: ways_for([user.id], kind.key)[user.id] for kind in kinds}
    return [Row(kind.key, kind.label, frozenset(current[kind.key])) for kind in kinds]


def save_ways(user: User, form, *, has_email: bool, has_targets: bool) -> Result:
    """Store the ticked ways; a way not on offer (no address, no targets) keeps its value."""
    changed = 0
    for kind in choosable(user.is_admin):
        before = ways_for([user.id], kind.key)[user.id]
        offered = {IN_APP, EMAIL if has_email else None, TARGETS if has_targets else None}
        wanted = {w for w in WAYS if w in offered and form.get(field_name(kind.key, w)) == "on"}
        wanted |= {w for w in before if w not in offered}
        if wanted != before:
            changed += 1
        _store(user.id, kind.key, wanted, set(kind.ways))
    db.session.commit()
    return Result(True, "Your choices are saved." if changed else "Nothing changed.")


def _store(user_id: int, type_key: str, wanted: set, default: set) -> None:
    # No row means "the type's defaults", so a later change of a default reaches this person.
    row = db.session.get(NotifyPref, (user_id, type_key))
    if wanted == default:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = NotifyPref(user_id=user_id, event_type=type_key)
        db.session.add(row)
    row.in_app, row.email, row.targets = IN_APP in wanted, EMAIL in wanted, TARGETS in wanted


def read_schedule(form) -> tuple[dict, dict]:
    """(values, errors) from the quiet-hours, digest and newsletter form."""
    text = {k: _text(form.get(k), 64) for k in ("quiet_start", "quiet_end", "timezone", "hour")}
    values = {
        "quiet_start": text["quiet_start"],
        "quiet_end": text["quiet_end"],
        "timezone": text["timezone"] or "UTC",
        "digest": form.get("digest") == "on",
        "digest_hour": text["hour"],
        "newsletter": _text(form.get("newsletter"), 8) or "off",
    }
    return values, _schedule_errors(values)


def _schedule_errors(values: dict) -> dict:
    errors = {}
    start, end = values["quiet_start"], values["quiet_end"]
    for name in ("quiet_start", "quiet_end"):
        if values[name] and parse_hhmm(values[name]) is None:
            errors[name] = "Enter a time as HH:MM, like 22:00."
    if not errors and bool(start) != bool(end):
        errors["quiet_end" if start else "quiet_start"] = "Quiet hours need a start and an end."
    if not errors and start and start == end:
        errors["quiet_end"] = "The end must differ from the start."
    if values["timezone"] not in timezones():
        errors["timezone"] = "Choose a timezone from the list, like Europe/Berlin."
    hour = values["digest_hour"]
    if not (hour.isascii() and hour.isdigit() and len(hour) <= 2 and int(hour) < 24):
        errors["digest_hour"] = "Choose an hour from 0 to 23."
    if values["newsletter"] not in NEWSLETTER:
        errors["newsletter"] = "Choose off, daily or weekly."
    return errors


def save_schedule(user: User, values: dict) -> Result:
    profile = editable_profile(user.id)
    profile.quiet_start = values["quiet_start"] or None
    profile.quiet_end = values["quiet_end"] or None
    profile.timezone = values["timezone"]
    profile.digest = values["digest"]
    profile.digest_hour = int(values["digest_hour"])
    profile.newsletter = values["newsletter"]
    audit.record("notify.schedule_saved", actor=user, target=user.username, commit=False)
    db.session.commit()
    return Result(True, "Saved.")


def schedule_values(profile) -> dict:
    return {
        "quiet_start": profile.quiet_start or "",
        "quiet_end": profile.quiet_end or "",
        "timezone": profile.timezone or "UTC",
        "digest": bool(profile.digest),
        "digest_hour": str(profile.digest_hour if profile.digest_hour is not None else 8),
        "newsletter": profile.newsletter or "off",
    }


def _text(raw, limit: int) -> str:
    # Cut one past the longest valid value: what was too long stays invalid, and stays short.
    return (raw.strip() if isinstance(raw, str) else "")[: limit + 1]
