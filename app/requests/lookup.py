"""What cards and detail pages say about requests for titles: read-only, one query per page."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import MediaRequest, User
from app.requests import states


@dataclass
class TitleRequests:
    """The requests for one title that still matter (active, or the latest declined/failed)."""

    status: str  # the most advanced status among them
    request_ids: list[int] = field(default_factory=list)
    mine: int | None = None  # the viewer's own request, if any
    requested_by: list[str] = field(default_factory=list)  # names, filled only for admins
    seasons: set[int] = field(default_factory=set)  # seasons asked for by anyone, still active

    @property
    def label(self) -> str:
        return states.label(self.status)


def _rank(status: str) -> int:
    if status in states.PROGRESS:
        return 10 + states.PROGRESS.index(status)
    return 0  # declined and failed show only when nothing better exists


def states_for(keys, viewer) -> dict[tuple[str, int], TitleRequests]:
    """For (media_type, tmdb_id) pairs, what has been requested; titles never asked for are absent.

    A friend sees that a title is requested and its status, and their own request; only admins
    see who else asked.
    """
    keys = {(kind, int(tmdb_id)) for kind, tmdb_id in keys}
    if not keys:
        return {}
    rows = db.session.execute(
        select(MediaRequest, User.username)
        .join(User, User.id == MediaRequest.user_id)
        # An IN over the ids alone, kinds checked below: a tuple IN costs ~10 ms per 80 cards.
        .where(MediaRequest.tmdb_id.in_({tmdb_id for _kind, tmdb_id in keys}))
        .order_by(MediaRequest.id)
    ).all()
    found: dict[tuple[str, int], TitleRequests] = {}
    for req, username in rows:
        key = (req.media_type, req.tmdb_id)
        if key not in keys:
            continue
        entry = found.setdefault(key, TitleRequests(status=req.status))
        if _rank(req.status) >= _rank(entry.status):
            entry.status = req.status
        entry.request_ids.append(req.id)
        if req.user_id == viewer.id:
            entry.mine = req.id
        if viewer.is_admin and username not in entry.requested_by:
            entry.requested_by.append(username)
        if req.status in states.ACTIVE or req.status == states.AVAILABLE:
            entry.seasons.update(req.seasons or ())
    return found
