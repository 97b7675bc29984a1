"""Reading what the notifier was told: outbox rows by type, and bell rows by person."""

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, NotifyEvent


def events(type_key: str | None = None) -> list[NotifyEvent]:
    db.session.expire_all()
    query = select(NotifyEvent).order_by(NotifyEvent.id)
    if type_key:
        query = query.where(NotifyEvent.type == type_key)
    return list(db.session.scalars(query))


def bell(user_id: int) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def only(type_key: str) -> NotifyEvent:
    """The one outbox row of this type (and no other of it)."""
    found = events(type_key)
    assert len(found) == 1, [(e.type, e.title) for e in events()]
    return found[0]
