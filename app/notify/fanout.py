"""The fan-out job: one outbox event becomes one Delivery per destination, once."""

from sqlalchemy import select

from app.extensions import db
from app.jobs import enqueue
from app.models import Delivery, NotifyChannel, NotifyEvent, NotifyProfile, PersonTarget, User
from app.models.base import utcnow
from app.models.notify import PENDING, VIA_CHANNEL, VIA_EMAIL, VIA_TARGET
from app.notify import prefs
from app.notify.events import EMAIL, TARGETS
from app.status.samples import dialect_insert

INSERT_AT_ONCE = 500


def deliver_job_id(target_key: str) -> str:
    return "notify-deliver-" + target_key.replace(":", "-")


def enqueue_delivery(target_key: str) -> None:
    """One job per destination: while one waits, more events for it join its message."""
    enqueue("app.notify.deliver.deliver", target_key, job_id=deliver_job_id(target_key))


def is_verification(event: NotifyEvent) -> bool:
    """The email that confirms an address: sent to that address, which is not confirmed yet."""
    data = event.data or {}
    return bool(data.get("verify")) and isinstance(data.get("to"), str) and bool(data["to"])


def _row(event, key, via, channel_id, label, user_id=None, due_at=None) -> dict:
    return {
        "event_id": event.id,
        "user_id": user_id,
        "channel": via,
        "channel_id": channel_id,
        "target_key": key,
        "label": label[:300],
        "state": PENDING,
        "attempts": 0,
        "due_at": due_at,
        "last_error": "",
        "created_at": utcnow(),
    }


def _channel_rows(event: NotifyEvent, now) -> list[dict]:
    channels = db.session.scalars(
        select(NotifyChannel).where(NotifyChannel.enabled.is_(True), NotifyChannel.admin_alerts)
    )
    return [
        _row(event, f"channel:{c.id}", VIA_CHANNEL, c.id, f"Channel {c.name}", due_at=now)
        for c in channels
    ]


def _due_for(profile: NotifyProfile, now):
    """Now, or when the person's quiet hours end, or their digest hour (the later of those)."""
    held = (prefs.quiet_until(profile, now), prefs.digest_due_at(profile, now))
    later = [at for at in held if at]
    return max(later) if later else now


def _person_rows(event: NotifyEvent, now) -> list[dict]:
    ids = [int(uid) for uid in event.user_ids or []]
    if not ids:
        return []
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_(ids), User.disabled.is_(False)))
    }
    ways = prefs.ways_for(list(people), event.type)
    profiles = {
        p.user_id: p
        for p in db.session.scalars(select(NotifyProfile).where(NotifyProfile.user_id.in_(ids)))
    }
    targets: dict[int, list[PersonTarget]] = {}
    for target in db.session.scalars(select(PersonTarget).where(PersonTarget.user_id.in_(ids))):
        targets.setdefault(target.user_id, []).append(target)
    verify = is_verification(event)
    rows = []
    for uid, user in people.items():
        due = now if verify else _due_for(profiles.get(uid) or NotifyProfile(user_id=uid), now)
        if verify or (EMAIL in ways[uid] and user.email):
            label = f"Email to {user.username}"
            rows.append(_row(event, f"email:{uid}", VIA_EMAIL, None, label, uid, due))
        if verify or TARGETS not in ways[uid]:
            continue
        for target in targets.get(uid, []):
            label = f"{target.name} of {user.username}"
            rows.append(_row(event, f"target:{target.id}", VIA_TARGET, target.id, label, uid, due))
    return rows


def _insert_new(rows: list[dict]) -> int:
    """Insert the rows whose (event, target) is not there yet; returns how many were new."""
    insert = dialect_insert(db.session.get_bind().dialect.name)
    added = 0
    for start in range(0, len(rows), INSERT_AT_ONCE):
        chunk = rows[start : start + INSERT_AT_ONCE]
        stmt = (
            insert(Delivery.__table__)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["event_id", "target_key"])
        )
        added += db.session.execute(stmt).rowcount or 0
    return added


def fan_out(event_id: int) -> int:
    """Add the event's deliveries (admin channels for admin events; each person's email and
    targets as they chose; due now, after their quiet hours, or at their digest hour) and enqueue
    the destinations that are due. Safe to run twice: the unique (event, target) adds nothing.
    Returns how many deliveries it added."""
    event = db.session.get(NotifyEvent, event_id)
    if event is None:
        return 0
    now = utcnow()
    rows = (_channel_rows(event, now) if event.admins else []) + _person_rows(event, now)
    added = _insert_new(rows) if rows else 0
    if event.fanned_out_at is None:
        event.fanned_out_at = now
    db.session.commit()
    if added:
        for key in dict.fromkeys(r["target_key"] for r in rows if r["due_at"] <= now):
            enqueue_delivery(key)
    return added
