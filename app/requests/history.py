"""Moving a request along: one place that changes its status, writes history and tells people.

Webhooks, the reconciliation poll, the library sync, the delivery job and admins all call
advance(); it refuses to move a request backwards, so replays and late answers are harmless.
"""

from sqlalchemy import select, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.attributes import set_committed_value

from app.after_commit import after_commit
from app.extensions import db
from app.models import MediaItem, MediaRequest, RequestEvent, RequestFollower
from app.models.base import utcnow
from app.notifications.services import subject_of
from app.notify.outbox import emit
from app.realtime.events import publish
from app.requests import states

# What the requester is told when their request reaches a status; None: no message.
TOLD = {
    states.APPROVED: ("Request approved: {title}", "success"),
    states.PROCESSING: None,
    states.PARTIALLY_AVAILABLE: ("Partly on Plex now: {title}", "success"),
    states.AVAILABLE: ("Now on Plex: {title}", "success"),
    states.DECLINED: ("Request declined: {title}", "warning"),
    states.FAILED: ("Request failed: {title}", "error"),
}
# The notifier's event type for each status the requester is told about.
EVENTS = {
    states.APPROVED: "request.approved",
    states.PARTIALLY_AVAILABLE: "request.available",
    states.AVAILABLE: "request.available",
    states.DECLINED: "request.declined",
    states.FAILED: "request.failed",
}


def note(req: MediaRequest, message: str, *, source: str, actor=None) -> RequestEvent:
    """Add a line to the history without changing the status (a retry, an Overseerr answer)."""
    event = RequestEvent(
        request=req,
        status=req.status,
        source=source,
        message=message[:2000],
        actor_name=getattr(actor, "username", None),
    )
    db.session.add(event)
    req.updated_at = utcnow()
    _announce(req)
    return event


def advance(
    req: MediaRequest,
    status: str,
    *,
    source: str,
    message: str = "",
    actor=None,
    tell: bool = True,
) -> bool:
    """Move req to status if that is forward; record it, notify the requester. Does not commit.

    tell=False records it without a notification (a request approved as it is made).
    """
    if not _claim(req, status):
        return False
    note(req, message, source=source, actor=actor)
    if status == states.DECLINED and message:
        req.decline_reason = message[:500]
    if tell:
        _tell_requester(req, status, message, actor)
    return True


def _claim(req: MediaRequest, status: str) -> bool:
    """Move the row from the status we read to status, unless another process moved it first.

    The webhook, the poll and the library sync can see the same change at the same moment; the
    conditional UPDATE lets exactly one of them win, so the requester hears of it once.
    """
    while states.may_move(req.status, status):
        if req.id is None:  # not yet in the database: nobody else can see it
            req.status = status
            return True
        moved = db.session.execute(
            update(MediaRequest)
            .where(MediaRequest.id == req.id, MediaRequest.status == req.status)
            .values(status=status)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved:
            set_committed_value(req, "status", status)
            return True
        try:
            db.session.refresh(req, ["status"])  # someone else moved it: decide again from there
        except InvalidRequestError:  # ...or deleted it
            return False
    return False


def _tell_requester(req: MediaRequest, status: str, message: str, actor) -> None:
    told = TOLD.get(status)
    if told is None:
        return
    people = [uid for uid in _audience(req) if uid != getattr(actor, "id", None)]
    if not people:
        return
    title, level = told
    emit(
        EVENTS[status],
        title.format(title=req.title),
        message,
        user_ids=people,
        level=level,
        link=link_for(req),
        subject=subject_of("request", req.id),
        data={"request_id": req.id},
        commit=False,
    )


def link_for(req: MediaRequest) -> str:
    """Where a notification about req leads: the title in our library once there, else the request.

    Plain paths: jobs run without a request to build URLs from.
    """
    if req.status in (states.AVAILABLE, states.PARTIALLY_AVAILABLE) and req.available_item_id:
        item = db.session.get(MediaItem, req.available_item_id)
        if item is not None:
            return f"/library/item/{item.rating_key}"
    return f"/requests/{req.id}"


def _announce(req: MediaRequest) -> None:
    """Tell the requester's and the admins' open pages, once the change is committed."""
    event = {
        "type": "request.changed",
        "id": req.id,
        "user_id": req.user_id,
        "status": req.status,
        "delivery": req.delivery,
    }
    audience = _audience(req)  # read now: after the commit, reading req would query
    after_commit(lambda: publish(event, user_ids=audience, admins=True))


def _audience(req: MediaRequest) -> list[int]:
    """The requester and the people following the request."""
    followers = db.session.scalars(
        select(RequestFollower.user_id).where(RequestFollower.request_id == req.id)
    ).all()
    return [req.user_id, *(uid for uid in followers if uid != req.user_id)]
