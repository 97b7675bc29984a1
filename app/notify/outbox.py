"""emit(): every event goes through here, in the transaction of what caused it."""

import time

from sqlalchemy import insert, select

from app.after_commit import after_commit
from app.extensions import db
from app.jobs import enqueue
from app.models import NotifyEvent, User
from app.models.base import utcnow
from app.models.users import ROLE_ADMIN
from app.notify.events import ADMINS, IN_APP, event_type
from app.notify.prefs import ways_for


def admin_ids() -> list[int]:
    return list(
        db.session.scalars(select(User.id).where(User.role == ROLE_ADMIN, User.disabled.is_(False)))
    )


def emit(
    type_key: str,
    title: str,
    body: str = "",
    *,
    user_ids=(),
    link: str | None = None,
    level: str = "info",
    subject: str | None = None,
    data: dict | None = None,
    exclude=(),
    commit: bool = True,
) -> int:
    """Tell people about something: the bell at once, and everything else through the outbox.

    For an ADMINS type, every active admin (and the admin channels) hears it; user_ids adds
    people; exclude leaves people out (the admin who made the request hears nothing of it).
    The in-app rows and the outbox row join the caller's transaction; the fan-out job is
    enqueued after it commits (if Redis is away, the sweeper finds the row later). Returns the
    outbox row's id.
    """
    from app.notifications.services import notify

    kind = event_type(type_key)
    people = list(dict.fromkeys(int(u) for u in user_ids))
    if kind.audience == ADMINS:
        people = list(dict.fromkeys([*people, *admin_ids()]))
    left_out = {int(u) for u in exclude}
    people = [uid for uid in people if uid not in left_out]
    ways = ways_for(people, type_key)
    in_app = [uid for uid in people if IN_APP in ways[uid]]
    if in_app:
        notify(
            in_app,
            title,
            body,
            level=level,
            link=link,
            subject=subject,
            kind=type_key,
            commit=False,
        )
    values = {
        "type": type_key,
        "user_ids": people,
        "admins": kind.audience == ADMINS,
        "title": title[:200],
        "body": body,
        "link": link,
        # Fan-out resolves admins again for the admin channels: it must skip these too.
        "data": {**(data or {}), "exclude": sorted(left_out)} if left_out else data or {},
        "created_at": utcnow(),
    }
    stmt = insert(NotifyEvent).values(values).returning(NotifyEvent.id)
    event_id = db.session.execute(stmt).scalar()
    # One fan-out per transaction: it takes every event waiting, this one first.
    after_commit(lambda: enqueue_fanout(event_id), once="notify-fanout")
    if commit:
        db.session.commit()
    return event_id


def enqueue_fanout(event_id: int) -> None:
    # One job per second at most: it fans out every event waiting, so a flood of events does
    # not queue a job each in front of the deliveries.
    second = int(time.time())
    enqueue("app.notify.fanout.fan_out", event_id, job_id=f"notify-fanout-{second}")
