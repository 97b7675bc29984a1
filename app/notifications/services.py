"""Creating, listing and reading notifications."""

from sqlalchemy import func, insert, select, update

from app.after_commit import after_commit
from app.extensions import db
from app.models import Notification
from app.models.base import utcnow
from app.notifications.kinds import Filters, types_of
from app.paging import Page, paginate
from app.realtime.events import publish, publish_each

PER_PAGE = 20


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def unread_counts(user_ids) -> dict[int, int]:
    """Each person's unread count in one query (an event to many people asks once)."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    query = (
        select(Notification.user_id, func.count(Notification.id))
        .where(Notification.user_id.in_(ids), Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    )
    return dict(db.session.execute(query).all())


def subject_of(kind: str, thing_id) -> str:
    """The name a notification gives the thing it is about: subject_of("user", 12) is "user:12"."""
    return f"{kind}:{thing_id}"


def notify(
    user_ids,
    title: str,
    body: str = "",
    *,
    level: str = "info",
    link: str | None = None,
    subject: str | None = None,
    kind: str | None = None,
    commit: bool = True,
):
    """Store a notification for each person, then tell their open pages.

    `subject` names what it is about (see subject_of); resolve(subject) marks it done; `kind`
    is the event type. Only app.notify.emit calls this: events go through the notifier.
    With commit=False the rows join the caller's transaction and are announced once it commits.
    Returns how many were stored.
    """
    values = [
        {
            "user_id": uid,
            "title": title[:200],
            "body": body,
            "level": level,
            "link": link,
            "subject": subject,
            "kind": kind,
            "created_at": utcnow(),
        }
        for uid in dict.fromkeys(int(u) for u in user_ids)
    ]
    if not values:
        return 0
    # One INSERT for everyone: an event to many people is one statement, not a flush of each.
    ids = db.session.execute(
        insert(Notification).returning(Notification.id, Notification.user_id), values
    ).all()
    unread = unread_counts([uid for _, uid in ids])
    common = {"type": "notification.new", "title": title[:200], "body": body}
    events = [
        ({**common, "id": row_id, "level": level, "link": link, "unread": unread.get(uid, 0)}, uid)
        for row_id, uid in ids
    ]
    after_commit(lambda: publish_each(events))
    if commit:
        db.session.commit()
    return len(ids)


def page_for(user_id: int, page: int, filters: Filters | None = None) -> Page:
    """One page of the person's own notifications, newest first, filtered."""
    filters = filters or Filters()
    query = select(Notification).where(Notification.user_id == user_id)
    if filters.unread:
        query = query.where(Notification.read_at.is_(None))
    if filters.kind:
        query = query.where(Notification.kind.in_(types_of(filters.kind)))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    return paginate(query, page, PER_PAGE)


def _announce_count(user_id: int) -> None:
    publish({"type": "notification.count", "unread": unread_count(user_id)}, user_ids=[user_id])


def mark_read(user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the person's own notifications read; None when it is not theirs."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        return None
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
        _announce_count(user_id)
    return row


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    _announce_count(user_id)
    return result.rowcount


def resolve(subject: str) -> int:
    """The thing is dealt with: mark what was said about it read for everyone, live."""
    user_ids = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.subject == subject, Notification.read_at.is_(None)
            )
        )
    )
    if not user_ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(Notification.subject == subject, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    for user_id in sorted(user_ids):
        _announce_count(user_id)
    return result.rowcount
