"""Demo mode: a few requests in every state, so a newcomer finds the request pages filled in.

Seeded once, after demo mode's first library sync: the owner has connected Plex by then, so
the friends the demo server is shared with can be brought in from Plex to have asked.
"""

import logging

from flask import current_app
from sqlalchemy import func, select

from app.discover.titles import Season, Title
from app.extensions import db
from app.models import ItemGuid, MediaItem, MediaRequest, User
from app.models.base import utcnow
from app.requests import decisions, history, services, states
from app.requests.titles import title_for

log = logging.getLogger(__name__)


def _seasons(count: int) -> tuple[Season, ...]:
    return tuple(Season(n, f"Season {n}", episodes=8) for n in range(1, count + 1))


# Titles of the demo TMDB that the demo Plex lacks, to be waiting, approved and declined
# (simulators/tmdb_data.py: the first 300 movies and 40 shows are on Plex).
WANTED = (
    ("movie", 1_000_420),
    ("tv", 2_000_070),
    ("movie", 1_000_421),
    ("tv", 2_000_071),  # left waiting too, so an admin has one to approve and one to decline
)


def seed_once() -> bool:
    """Seed the demo's requests unless there are requests already; True when it did."""
    if not current_app.config.get("DEMO"):
        return False
    if db.session.scalar(select(func.count(MediaRequest.id))):
        return False
    try:
        return seed()
    except Exception:  # a demo without sample requests is still a demo
        db.session.rollback()
        log.exception("Could not seed demo mode's requests")
        return False


def _friends() -> tuple[User, User, User] | None:
    owner = db.session.scalar(select(User).where(User.is_owner.is_(True)))
    if owner is None:
        return None
    from app.admin.people_services import PeopleError, import_plex_users

    try:
        import_plex_users(actor=None)
    except PeopleError as exc:
        log.info("Demo requests without Plex friends: %s", exc)
    others = list(
        db.session.scalars(
            select(User).where(User.id != owner.id, User.disabled.is_(False)).order_by(User.id)
        )
    )
    first = others[0] if others else owner
    second = others[1] if len(others) > 1 else first
    return owner, first, second


def _on_plex(kind: str) -> Title | None:
    """A title of this kind from the synced catalog, as Discover would describe it."""
    row = db.session.execute(
        select(MediaItem.title, MediaItem.year, ItemGuid.value)
        .join(ItemGuid, ItemGuid.item_id == MediaItem.id)
        .where(MediaItem.type == kind, ItemGuid.scheme == "tmdb", MediaItem.removed_at.is_(None))
        .order_by(MediaItem.id.desc())
        .limit(1)
    ).first()
    if row is None or not row.value.isdigit():
        return None
    media_type = "movie" if kind == "movie" else "tv"
    seasons = _seasons(5) if media_type == "tv" else ()
    return Title(media_type, int(row.value), row.title, year=row.year, seasons=seasons)


def _asked_before(title: Title, user: User, seasons=None) -> MediaRequest:
    """A request made before the title reached Plex: the library sync then finds it there."""
    req = MediaRequest(
        user_id=user.id,
        media_type=title.media_type,
        tmdb_id=title.tmdb_id,
        title=title.title,
        year=title.year,
        seasons=list(seasons or ()),
        seasons_available=[],
        status=states.PENDING,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(req)
    db.session.flush()
    history.note(req, f"Requested {services.describe(req)}", source="person", actor=user)
    history.advance(req, states.APPROVED, source="person", actor=None, tell=False)
    return req


def seed() -> bool:
    people = _friends()
    if people is None:
        return False
    owner, first, second = people
    wanted = [title_for(kind, tmdb_id) for kind, tmdb_id in WANTED]
    if None in wanted:
        log.info("Demo requests not seeded: Discover does not know the demo titles")
        return False
    movie, waiting_show, declined, second_wait = wanted
    services.create(first, movie)
    services.create(second, second_wait, ["1"])
    approved = services.create(first, waiting_show, ["1", "2"]).created
    if approved is not None and approved.status == states.PENDING:
        decisions.approve(approved, actor=owner)
    refused = services.create(second, declined).created
    if refused is not None:
        decisions.decline(refused, "We have it on Blu-ray: ask me for it", actor=owner)
    for kind, seasons in (("movie", ()), ("show", (1, 2, 3, 4))):
        if (title := _on_plex(kind)) is not None:
            _asked_before(title, second if kind == "movie" else first, seasons)
    db.session.commit()
    from app.requests.availability import after_sync

    after_sync()
    return True
