"""What Overseerr says about a request, applied to ours: by the delivery, the poll and the webhook.

All changes go through history.advance, which never moves a request backwards.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import MediaRequest, Notification
from app.notifications.services import resolve
from app.notify.outbox import emit
from app.requests import history, states

# Subjects of the admin notifications that must be said once, not once per request.
KEY_SUBJECT = "overseerr:key"
UNMATCHED_SUBJECT = "overseerr:unmatched"


# What the history says when Overseerr moves a request, whichever way we heard of it.
SAID = {
    states.APPROVED: "Approved in Overseerr.",
    states.PROCESSING: "Overseerr is fetching it.",
    states.DECLINED: "Declined in Overseerr.",
    states.FAILED: "Overseerr could not pass it on to Radarr or Sonarr.",
    states.AVAILABLE: "Overseerr says it is available.",
    states.PARTIALLY_AVAILABLE: "Overseerr says part of it is available.",
}


def said(status: str) -> str:
    return SAID.get(status) or f"Overseerr says: {states.label(status).lower()}."


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def statuses_from(body: dict) -> list[str]:
    """Our statuses that an Overseerr MediaRequest (with its media) reports, in order."""
    found = []
    status = states.OVERSEERR_REQUEST.get(_int(body.get("status")))
    if status:
        found.append(status)
    media = body.get("media") if isinstance(body.get("media"), dict) else {}
    media_status = states.OVERSEERR_MEDIA.get(_int(media.get("status")))
    if media_status and status not in (states.DECLINED, states.FAILED):
        found.append(media_status)
    return found


def apply(req: MediaRequest, body: dict, *, source: str) -> bool:
    """Move req as far forward as Overseerr's request says; True if anything changed."""
    changed = False
    for status in statuses_from(body):
        changed |= history.advance(req, status, source=source, message=said(status))
    return changed


def link(req: MediaRequest, body: dict, *, source: str = "delivery", words: str = "") -> None:
    """Remember which Overseerr request req is, mark it sent and catch up with its status."""
    req.overseerr_id = _int(body.get("id"))
    req.delivery = "sent"
    req.delivery_error = None
    history.note(req, words or f"Sent to Overseerr (request #{req.overseerr_id}).", source=source)
    apply(req, body, source="overseerr")


def find_existing(client, req: MediaRequest, overseerr_user: int | None) -> dict | None:
    """The Overseerr request that already stands for req (after a lost answer or a 409)."""
    title = client.title(req.media_type, req.tmdb_id)
    info = title.get("mediaInfo") if isinstance(title.get("mediaInfo"), dict) else {}
    found = [r for r in info.get("requests") or [] if isinstance(r, dict) and r.get("id")]
    if not found:
        return None
    if req.overseerr_id is not None:
        for candidate in found:
            if _int(candidate.get("id")) == req.overseerr_id:
                return candidate
    linked = set(
        db.session.scalars(
            select(MediaRequest.overseerr_id).where(
                MediaRequest.overseerr_id.is_not(None), MediaRequest.id != req.id
            )
        )
    )
    free = [r for r in found if _int(r.get("id")) not in linked] or found

    def by_user(candidate) -> bool:
        who = candidate.get("requestedBy") if isinstance(candidate.get("requestedBy"), dict) else {}
        return overseerr_user is not None and _int(who.get("id")) == overseerr_user

    mine = [r for r in free if by_user(r)]
    return (mine or free)[0]


def _told(subject: str) -> bool:
    return (
        db.session.scalar(
            select(Notification.id)
            .where(Notification.subject == subject, Notification.read_at.is_(None))
            .limit(1)
        )
        is not None
    )


def tell_admins_once(subject: str, title: str, body: str) -> None:
    """Tell admins about a problem unless they have an unread word about it already."""
    if not _told(subject):
        emit(
            "system.alert",
            title,
            body,
            level="warning",
            link="/admin/requests/settings",
            subject=subject,
            commit=False,
        )


def all_clear(subject: str) -> None:
    if _told(subject):
        resolve(subject)
