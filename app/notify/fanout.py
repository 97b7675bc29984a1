"""The fan-out job: one outbox event becomes one Delivery per destination, once."""

from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import Delivery, NotifyChannel, NotifyEvent, NotifyProfile, PersonTarget, User
from app.models.base import utcnow
from app.models.notify import PENDING, VIA_CHANNEL, VIA_EMAIL, VIA_TARGET
from app.notify import prefs
from app.notify.drain import start_for
from app.notify.events import EMAIL, TARGETS, is_verification
from app.status.samples import dialect_insert

INSERT_AT_ONCE = 500
MAX_BATCHES = 100  # a job fans out at most this many batches; the sweeper takes the rest
FAN_OUT_AT_ONCE = 200  # events fanned out in one transaction


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


class _People:
    """What fanning out a batch of events needs to know about everyone they are for, read once."""

    def __init__(self, events: list[NotifyEvent]):
        ids = sorted({int(uid) for event in events for uid in event.user_ids or []})
        self.users = {
            u.id: u
            for u in db.session.scalars(
                select(User).where(User.id.in_(ids), User.disabled.is_(False))
            )
        }
        self.profiles = {
            p.user_id: p
            for p in db.session.scalars(select(NotifyProfile).where(NotifyProfile.user_id.in_(ids)))
        }
        self.targets: dict[int, list[PersonTarget]] = {}
        for target in db.session.scalars(select(PersonTarget).where(PersonTarget.user_id.in_(ids))):
            self.targets.setdefault(target.user_id, []).append(target)
        self.ways = {}
        for type_key in {event.type for event in events}:
            heard = {int(u) for e in events if e.type == type_key for u in e.user_ids or []}
            self.ways[type_key] = prefs.ways_for([u for u in heard if u in self.users], type_key)
        self.channels = []
        if any(event.admins for event in events):
            self.channels = list(
                db.session.scalars(
                    select(NotifyChannel).where(
                        NotifyChannel.enabled.is_(True), NotifyChannel.admin_alerts.is_(True)
                    )
                )
            )

    def profile(self, user_id: int) -> NotifyProfile:
        return self.profiles.get(user_id) or NotifyProfile(user_id=user_id)


def _channel_rows(event: NotifyEvent, people: _People, now) -> list[dict]:
    return [
        _row(event, f"channel:{c.id}", VIA_CHANNEL, c.id, f"Channel {c.name}", due_at=now)
        for c in people.channels
    ]


def _due_for(profile: NotifyProfile, now):
    """Now, or when the person's quiet hours end, or their digest hour (the later of those)."""
    digest = prefs.digest_due_at(profile, now) if profile.digest else None
    held = (prefs.quiet_until(profile, now), digest)
    later = [at for at in held if at]
    return max(later) if later else now


def _person_rows(event: NotifyEvent, people: _People, now) -> list[dict]:
    verify, rows = is_verification(event), []
    for uid in dict.fromkeys(int(u) for u in event.user_ids or []):
        user = people.users.get(uid)
        if user is None:
            continue  # deleted or disabled: nobody to tell
        ways = people.ways[event.type][uid]
        due = now if verify else _due_for(people.profile(uid), now)
        if verify or (EMAIL in ways and user.email):
            label = f"Email to {user.username}"
            rows.append(_row(event, f"email:{uid}", VIA_EMAIL, None, label, uid, due))
        if verify or TARGETS not in ways:
            continue
        for target in people.targets.get(uid, []):
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
            .returning(Delivery.__table__.c.id)  # rowcount is unknown for this on PostgreSQL
        )
        added += len(db.session.execute(stmt).all())
    return added


def _take(event_id: int, now) -> list[NotifyEvent]:
    """This event and others still waiting (a flood is fanned out in few jobs), marked fanned
    out in this transaction: a job that dies leaves them to the sweeper."""
    waiting = (
        select(NotifyEvent.id)
        .where(NotifyEvent.fanned_out_at.is_(None))
        .order_by(NotifyEvent.id)
        .limit(FAN_OUT_AT_ONCE)
    )
    if db.engine.dialect.name == "postgresql":
        waiting = waiting.with_for_update(skip_locked=True)
    ids = db.session.scalars(
        update(NotifyEvent)
        .where(
            or_(NotifyEvent.id == event_id, NotifyEvent.id.in_(waiting.scalar_subquery())),
            NotifyEvent.fanned_out_at.is_(None),
        )
        .values(fanned_out_at=now)
        .returning(NotifyEvent.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not ids:
        return []
    return list(db.session.scalars(select(NotifyEvent).where(NotifyEvent.id.in_(ids))))


def fan_out(event_id: int) -> int:
    """Add the event's deliveries (admin channels for admin events; each person's email and
    targets as they chose; due now, after their quiet hours, or at their digest hour) and enqueue
    the destinations that are due. Safe to run twice: the unique (event, target) adds nothing.
    Other events still waiting are fanned out with it, batch after batch, so a flood needs few
    jobs. Returns how many deliveries it added."""
    if not isinstance(event_id, int):
        return 0
    added = 0
    for _ in range(MAX_BATCHES):
        batch = _fan_out_batch(event_id)
        if batch is None:
            break
        added += batch
        event_id = 0  # later batches take whatever else waits
    return added


def _fan_out_batch(event_id: int) -> int | None:
    now = utcnow()
    events = _take(event_id, now)
    if not events:
        db.session.rollback()
        return None
    people, rows = _People(events), []
    for event in events:
        if event.admins:
            rows += _channel_rows(event, people, now)
        rows += _person_rows(event, people, now)
    added = _insert_new(rows) if rows else 0
    db.session.commit()
    if added:
        start_for(dict.fromkeys(r["target_key"] for r in rows if r["due_at"] <= now))
    return added
