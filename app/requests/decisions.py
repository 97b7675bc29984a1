"""What admins do to requests: approve, decline with a reason, change seasons, mark available,
retry. Each goes through history.advance (or note), is audited, and reaches Overseerr through
the outbox when the request was delivered there."""

from dataclasses import dataclass, field

from app import audit
from app.auth.usernames import visible
from app.discover.titles import Title
from app.extensions import db
from app.library.matching import on_plex
from app.models import MediaRequest
from app.models.base import utcnow
from app.models.requests import REASON_LENGTH
from app.notifications.services import resolve
from app.requests import delivery, history, states
from app.requests.services import RequestError, describe, queue_subject, season_words

ACTIONS = ("approve", "decline")
MAX_BULK = 100


@dataclass
class BulkResult:
    done: list[MediaRequest] = field(default_factory=list)
    skipped: list[tuple[MediaRequest, str]] = field(default_factory=list)


def _audit(code: str, req: MediaRequest, actor, **details) -> None:
    audit.record(
        code,
        actor=actor,
        target=describe(req),
        details={"request": req.id, **details},
        commit=False,
    )


def _decided(req: MediaRequest, actor) -> None:
    req.decided_by_id = actor.id
    req.decided_at = utcnow()


def _commit_and_resolve(reqs) -> None:
    ids = [req.id for req in reqs]
    db.session.commit()
    for request_id in ids:  # the admins' "waiting for you" notes are dealt with
        resolve(queue_subject(db.session.get(MediaRequest, request_id)))


def _approve(req: MediaRequest, actor) -> str | None:
    """Approve one request in the session; the reason it cannot be, or None."""
    if req.status != states.PENDING:
        return f"It is {states.label(req.status).lower()}, not waiting for approval."
    history.advance(req, states.APPROVED, source="person", actor=actor)
    _decided(req, actor)
    if req.overseerr_id:
        delivery.queue(req, "approve")
    _audit("request.approved", req, actor)
    return None


def clean_reason(raw) -> str:
    reason = visible(raw if isinstance(raw, str) else "").strip()
    if not reason:
        raise RequestError("Say why it is declined: the person who asked will read it.")
    if len(reason) > REASON_LENGTH:
        raise RequestError(f"Keep the reason under {REASON_LENGTH} characters.")
    return reason


def _decline(req: MediaRequest, actor, reason: str) -> str | None:
    if req.status not in (states.PENDING, states.APPROVED, states.FAILED):
        return f"It is {states.label(req.status).lower()}; only open requests can be declined."
    history.advance(req, states.DECLINED, source="person", message=reason, actor=actor)
    _decided(req, actor)
    if req.overseerr_id:
        delivery.queue(req, "decline", {"reason": reason})
    _audit("request.declined", req, actor, reason=reason)
    return None


def approve(req: MediaRequest, *, actor) -> None:
    if (problem := _approve(req, actor)) is not None:
        db.session.rollback()
        raise RequestError(problem)
    _commit_and_resolve([req])


def decline(req: MediaRequest, reason, *, actor) -> None:
    reason = clean_reason(reason)
    if (problem := _decline(req, actor, reason)) is not None:
        db.session.rollback()
        raise RequestError(problem)
    _commit_and_resolve([req])


def bulk(requests: list[MediaRequest], action: str, *, actor, reason=None) -> BulkResult:
    """Approve or decline several requests in one transaction; those that cannot be are skipped."""
    if action not in ACTIONS:
        raise RequestError("Choose approve or decline.")
    if not requests:
        raise RequestError("Tick the requests to act on first.")
    if len(requests) > MAX_BULK:
        raise RequestError(f"Act on at most {MAX_BULK} requests at once.")
    reason = clean_reason(reason) if action == "decline" else None
    result = BulkResult()
    for req in requests:
        if action == "approve":
            problem = _approve(req, actor)
        else:
            problem = _decline(req, actor, reason)
        if problem is None:
            result.done.append(req)
        else:
            result.skipped.append((req, problem))
    _commit_and_resolve(result.done)
    return result


def edit_seasons(req: MediaRequest, seasons, title: Title | None, *, actor) -> bool:
    """Change which seasons a pending request asks for; False when nothing changed."""
    if req.media_type != "tv":
        raise RequestError("Only a show's request has seasons.")
    if req.status != states.PENDING:
        raise RequestError("Seasons can be changed only while the request waits for approval.")
    numbers = set()
    offered = set(title.requestable_seasons) if title is not None else None
    for raw in seasons or ():
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit()) or not 0 < len(text) <= 4:
            raise RequestError("Choose seasons from the list.")
        if offered is not None and int(text) not in offered:
            raise RequestError(f"{req.title} has no season {int(text)}.")
        numbers.add(int(text))
    if not numbers:
        raise RequestError("Keep at least one season, or decline the request.")
    new = sorted(numbers)
    if new == sorted(req.seasons or ()):
        return False
    old = season_words(req.seasons)
    req.seasons = new
    history.note(req, f"Changed from {old} to {season_words(new)}", source="person", actor=actor)
    if req.overseerr_id:
        delivery.queue(req, "seasons", {"seasons": new})
    _audit("request.seasons_changed", req, actor, old=old, new=season_words(new))
    db.session.commit()
    return True


def mark_available(req: MediaRequest, *, actor) -> None:
    """An admin says it is on Plex now (no Overseerr to say so); links our library item if any."""
    if req.status in (states.AVAILABLE, states.DECLINED):
        raise RequestError(f"It is {states.label(req.status).lower()} already.")
    there = on_plex([(req.media_type, req.tmdb_id)]).get((req.media_type, req.tmdb_id))
    if there is not None:
        req.available_item_id = there.item_id
    req.seasons_available = sorted(req.seasons or ())
    history.advance(req, states.AVAILABLE, source="person", message="Marked available", actor=actor)
    _decided(req, actor)
    _audit("request.marked_available", req, actor)
    _commit_and_resolve([req])


def retry(req: MediaRequest, *, actor) -> None:
    """Send a failed request again: back to waiting (for Overseerr, or for an admin)."""
    if req.status != states.FAILED:
        raise RequestError("Only a failed request can be tried again.")
    history.advance(req, states.PENDING, source="person", message="Tried again", actor=actor)
    req.delivery_error = None
    if delivery.overseerr_configured():
        req.delivery = "waiting"
        delivery.queue(req, "approve" if req.overseerr_id else "submit")
    _audit("request.retried", req, actor)
    db.session.commit()
