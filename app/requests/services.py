"""Making a request: checks, quotas, following what others asked for, one transaction.

A request is committed with its first history line, the admins' notification (when it waits
for them) and, with Overseerr configured, the outbox row that delivers it, all at once.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import settings
from app.discover.titles import Title
from app.extensions import db
from app.library.matching import on_plex
from app.models import MediaRequest, RequestFollower
from app.models.base import utcnow
from app.notifications.services import subject_of
from app.notify.outbox import emit
from app.requests import delivery, history, quotas, states
from app.requests.quotas import QuotaExceeded

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_SEASON = 1000


class RequestError(Exception):
    """A request that cannot be made, in words for the person."""


__all__ = ["QuotaExceeded", "RequestError", "Outcome", "create", "follow", "unfollow"]


@dataclass
class Outcome:
    """What asking did: a new request, requests followed, or the title found on Plex."""

    created: MediaRequest | None = None
    followed: list[MediaRequest] = field(default_factory=list)
    on_plex: object = None  # matching.OnPlex when everything asked for is already there
    repeated: bool = False  # the same form sent twice (a double-click): nothing new
    user_id: int | None = None  # who asked

    @property
    def message(self) -> str:
        if self.repeated:
            return "Your request was already sent."
        if self.created is not None:
            text = f"Requested {describe(self.created)}."
            if self.created.status == states.APPROVED:
                text = f"Requested and approved {describe(self.created)}."
            if self.followed:
                text += " Seasons someone else asked for already: you follow their request."
            return text
        if self.followed and all(r.user_id == self.user_id for r in self.followed):
            return "You already requested this."
        if self.followed:
            return "Someone already asked for this: you follow their request and will be told."
        return "This is already on Plex."


def describe(req: MediaRequest) -> str:
    """'Dune (2021)' or 'The Wire (2002), seasons 1–3'."""
    name = f"{req.title} ({req.year})" if req.year else req.title
    return f"{name}, {season_words(req.seasons)}" if req.media_type == "tv" else name


def season_words(numbers) -> str:
    numbers = sorted(set(numbers or ()))
    if not numbers:
        return "no seasons"
    if len(numbers) == 1:
        return f"season {numbers[0]}"
    runs, start = [], numbers[0]
    for prev, cur in zip(numbers, [*numbers[1:], None], strict=True):
        if cur != prev + 1:
            runs.append(str(start) if start == prev else f"{start}–{prev}")
            start = cur
    return "seasons " + ", ".join(runs)


def valid_token(raw) -> str | None:
    text = raw.strip() if isinstance(raw, str) else ""
    return text if TOKEN.fullmatch(text) else None


def _refuse_person(user) -> None:
    if user is None or user.disabled:
        raise RequestError("Your account is disabled, so it cannot make requests.")
    if user.pending:
        raise RequestError("Your account is waiting for an admin's approval.")


def active_requests(title: Title) -> list[MediaRequest]:
    """Requests for this title that still count (not declined, failed or gone)."""
    return list(
        db.session.scalars(
            select(MediaRequest)
            .where(
                MediaRequest.media_type == title.media_type,
                MediaRequest.tmdb_id == title.tmdb_id,
                MediaRequest.status.in_(states.ACTIVE | {states.AVAILABLE}),
            )
            .order_by(MediaRequest.id)
        )
    )


def wanted_seasons(title: Title, seasons) -> list[int]:
    """The seasons asked for: 'all' means every season after the specials; each must exist."""
    offered = set(title.requestable_seasons)
    if seasons == "all":
        return sorted(offered)
    numbers = set()
    for raw in seasons or ():
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 4:
            raise RequestError("Choose seasons from the list.")
        number = int(text)
        if number not in offered:
            raise RequestError(f"{title.title} has no season {number} to request.")
        numbers.add(number)
    if not numbers:
        raise RequestError("Choose at least one season, or request all of them.")
    return sorted(numbers)


def create(user, title: Title | None, seasons=None, *, client_token=None) -> Outcome:
    """Make (or follow) a request for a movie, or for seasons of a show ('all' or numbers)."""
    _refuse_person(user)
    if title is None or title.media_type not in ("movie", "tv"):
        raise RequestError("We could not find that title. It may have been removed from TMDB.")
    token = valid_token(client_token)
    if token and (earlier := _by_token(token)) is not None:
        if earlier.user_id == user.id:
            return Outcome(created=earlier, repeated=True, user_id=user.id)
        token = None  # someone else's form: not a repeat of this person's
    try:
        outcome = _ask(user, title, seasons, token)
        db.session.commit()
    except IntegrityError:  # the same form, sent twice at once: the other one won
        db.session.rollback()
        earlier = _by_token(token) if token else None
        if earlier is None or earlier.user_id != user.id:
            raise
        return Outcome(created=earlier, repeated=True, user_id=user.id)
    except (RequestError, QuotaExceeded):
        db.session.rollback()
        raise
    return outcome


def _ask(user, title: Title, seasons, token) -> Outcome:
    there = on_plex([title.key]).get(title.key)
    existing = active_requests(title)
    outcome = Outcome(user_id=user.id)
    if title.media_type == "movie":
        if there is not None:
            outcome.on_plex = there
        elif existing:
            outcome.followed = [follow(existing[-1], user)]
        else:
            outcome.created = _make(user, title, [], token)
        return outcome
    asked = wanted_seasons(title, seasons)
    on_plex_seasons = set(there.seasons) if there else set()
    covering = {n: r for r in existing for n in (r.seasons or ())}
    followed = {covering[n].id: covering[n] for n in asked if n in covering}
    remaining = [n for n in asked if n not in on_plex_seasons and n not in covering]
    if remaining:
        outcome.created = _make(user, title, remaining, token)
    outcome.followed = [follow(r, user) for r in followed.values()]
    if not remaining and not followed:
        outcome.on_plex = there
    return outcome


def _by_token(token: str) -> MediaRequest | None:
    return db.session.scalar(select(MediaRequest).where(MediaRequest.client_token == token))


def _make(user, title: Title, seasons: list[int], token) -> MediaRequest:
    quotas.check(user, title.media_type, len(seasons) if title.media_type == "tv" else 1)
    now = utcnow()
    req = MediaRequest(
        user_id=user.id,
        client_token=token,
        media_type=title.media_type,
        tmdb_id=title.tmdb_id,
        tvdb_id=title.tvdb_id,
        title=title.title[:500],
        year=title.year,
        poster_path=(title.poster_path or "")[:255] or None,
        seasons=seasons,
        seasons_available=[],
        status=states.PENDING,
        created_at=now,
        updated_at=now,
    )
    db.session.add(req)
    db.session.flush()
    history.note(req, f"Requested {describe(req)}", source="person", actor=user)
    if settings.get(f"requests.auto_approve_{'admin' if user.is_admin else 'user'}"):
        history.advance(
            req, states.APPROVED, source="person", message="Approved automatically", tell=False
        )
        req.decided_at = now
    else:
        _tell_admins(req, user)
    if delivery.overseerr_configured():
        req.delivery = "waiting"
        delivery.queue(req, "submit")
    return req


def queue_subject(req: MediaRequest) -> str:
    """What the admins' 'waiting for you' notification is about, marked done once decided."""
    return subject_of("request-queue", req.id)


def _tell_admins(req: MediaRequest, user) -> None:
    """The request waits for approval: every admin but the one who asked hears of it."""
    emit(
        "request.submitted",
        f"New request: {req.title}",
        f"{user.username} asked for {describe(req)}.",
        link=f"/requests/{req.id}",
        subject=queue_subject(req),
        data={"request_id": req.id},
        exclude=[user.id],
        commit=False,
    )


def follow(req: MediaRequest, user) -> MediaRequest:
    """Be told about someone else's request as if it were one's own (one's own: nothing to do)."""
    if req.user_id != user.id and db.session.get(RequestFollower, (req.id, user.id)) is None:
        db.session.add(RequestFollower(request_id=req.id, user_id=user.id))
        db.session.flush()
    return req


def unfollow(req: MediaRequest, user) -> bool:
    row = db.session.get(RequestFollower, (req.id, user.id))
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def follower_ids(req: MediaRequest) -> list[int]:
    return list(
        db.session.scalars(
            select(RequestFollower.user_id).where(RequestFollower.request_id == req.id)
        )
    )


def may_see(req: MediaRequest, user) -> bool:
    """The requester, an admin, or someone following the request."""
    if user.is_admin or req.user_id == user.id:
        return True
    return db.session.get(RequestFollower, (req.id, user.id)) is not None
