"""What the request controls on a title's page show: on Plex, requested, or available to request."""

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from app.discover.titles import Title
from app.extensions import db
from app.library.matching import on_plex
from app.models import MediaRequest, RequestFollower
from app.requests import quotas, states
from app.requests.lookup import states_for


@dataclass(frozen=True)
class SeasonRow:
    number: int
    name: str
    episodes: int
    state: str  # on_plex | requested | open
    label: str = ""
    request_id: int | None = None  # the request covering it, when the viewer may open it


def _requests_of(title: Title) -> list[MediaRequest]:
    return list(
        db.session.scalars(
            select(MediaRequest)
            .where(
                MediaRequest.media_type == title.media_type, MediaRequest.tmdb_id == title.tmdb_id
            )
            .order_by(MediaRequest.id)
        )
    )


def _followed_by(viewer, reqs: list[MediaRequest]) -> set[int]:
    ids = [r.id for r in reqs if r.user_id != viewer.id]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(RequestFollower.request_id).where(
                RequestFollower.user_id == viewer.id, RequestFollower.request_id.in_(ids)
            )
        )
    )


def _season_rows(title: Title, there, active, visible) -> list[SeasonRow]:
    on = set(there.seasons) if there else set()
    covering = {n: r for r in active for n in (r.seasons or ())}
    rows = []
    for season in title.seasons:
        if season.number <= 0:
            continue
        name, episodes = season.name or f"Season {season.number}", season.episodes
        if season.number in on:
            rows.append(SeasonRow(season.number, name, episodes, "on_plex", "On Plex"))
        elif (req := covering.get(season.number)) is not None:
            rid = req.id if req.id in visible else None
            rows.append(
                SeasonRow(
                    season.number, name, episodes, "requested", states.season_label(req.status), rid
                )
            )
        else:
            rows.append(SeasonRow(season.number, name, episodes, "open"))
    return rows


def box_for(viewer, title: Title, *, message: str | None = None, error: str | None = None) -> dict:
    """The context templates/requests/_request_box.html renders for this person and title."""
    there = on_plex([title.key], include_hidden=viewer.is_admin).get(title.key)
    reqs = _requests_of(title)
    active = [r for r in reqs if r.status in states.ACTIVE or r.status == states.AVAILABLE]
    own = {r.id for r in reqs if r.user_id == viewer.id}
    followed = _followed_by(viewer, reqs)
    visible = {r.id for r in reqs} if viewer.is_admin else own | followed
    seasons = _season_rows(title, there, active, visible) if title.media_type == "tv" else []
    if title.media_type == "movie":
        can_request = there is None and not active
    else:
        can_request = any(row.state == "open" for row in seasons)
    used = quotas.usages(viewer)
    kind = "movie" if title.media_type == "movie" else "season"
    return {
        "title": title,
        "on_plex": there,
        "requested": states_for([title.key], viewer).get(title.key),
        "mine": [r for r in reqs if r.id in own],
        "followed": [r for r in active if r.id in followed],
        # Someone else's request the viewer may follow instead of asking again.
        "followable": [r for r in active if r.id not in own | followed],
        "seasons": seasons,
        "can_request": can_request,
        "quota": used[kind] if used else None,
        "token": secrets.token_urlsafe(24),
        "message": message,
        "error": error,
    }
