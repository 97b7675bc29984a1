"""The Plex library as a source of truth: a requested title that shows up there is available.

A show stays partially available until every season asked for has arrived. Runs after each
library sync, through history.advance (source "library"), so replays change nothing.
"""

import logging

from sqlalchemy import select

from app.extensions import db
from app.library.matching import on_plex
from app.models import MediaRequest
from app.notifications.services import resolve
from app.requests import history, states
from app.requests.services import queue_subject, season_words

log = logging.getLogger(__name__)

WATCHED = (states.PENDING, states.APPROVED, states.PROCESSING, states.PARTIALLY_AVAILABLE)
BATCH = 500


def after_sync() -> int:
    """Match open requests against the catalog; returns how many changed. Never raises."""
    try:
        changed = _match_all()
    except Exception:  # the sync itself succeeded; the next one tries again
        db.session.rollback()
        log.exception("Matching requests to the library failed")
        return 0
    from app.downloads.demo import seed_once as seed_downloads
    from app.requests.demo import seed_once
    from app.uploads.demo import seed_once as seed_uploads

    seed_once()  # demo mode only: sample requests once the catalog is there
    seed_downloads()  # and a download and a subscription of the demo friends
    seed_uploads()  # and a few home videos, one of them in Plex
    return changed


def _match_all() -> int:
    changed, last_id = 0, 0
    while True:
        batch = list(
            db.session.scalars(
                select(MediaRequest)
                .where(MediaRequest.status.in_(WATCHED), MediaRequest.id > last_id)
                .order_by(MediaRequest.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return changed
        last_id = batch[-1].id
        found = on_plex({(r.media_type, r.tmdb_id) for r in batch})
        done = [
            r for r in batch if (there := found.get((r.media_type, r.tmdb_id))) and _match(r, there)
        ]
        subjects = [queue_subject(r) for r in done if r.status == states.AVAILABLE]
        db.session.commit()
        for subject in subjects:  # nothing is left for admins to decide
            resolve(subject)
        changed += len(done)


def _match(req: MediaRequest, there) -> bool:
    """Bring one request up to what the library holds; True when it changed."""
    req.available_item_id = there.item_id
    if req.media_type == "movie" or not req.seasons:
        return history.advance(
            req, states.AVAILABLE, source="library", message="Found in the Plex library"
        )
    asked = set(req.seasons)
    have = sorted(asked & set(there.seasons))
    if not have or have == sorted(req.seasons_available or ()):
        return False
    req.seasons_available = have
    if set(have) == asked:
        return history.advance(
            req, states.AVAILABLE, source="library", message="Every season asked for is on Plex"
        )
    message = f"On Plex: {season_words(have)} of {season_words(req.seasons)}"
    if not history.advance(req, states.PARTIALLY_AVAILABLE, source="library", message=message):
        history.note(req, message, source="library")
    return True
