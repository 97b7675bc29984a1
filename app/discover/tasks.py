"""Discover's jobs: refresh the lists hourly and the titles people look at or asked for daily."""

import logging
from datetime import timedelta

from sqlalchemy import select

from app.discover import services, sources
from app.discover.services import ROWS
from app.discover.store import TITLE_MAX_AGE
from app.extensions import db
from app.integrations import tmdb
from app.models import DiscoverTitle, MediaRequest
from app.models.base import utcnow

log = logging.getLogger(__name__)

VIEWED_WITHIN = timedelta(days=30)
SLACK = timedelta(hours=1)  # a title read 23 h ago is due on tomorrow's run otherwise
MAX_DAILY = 500  # titles refreshed per run, so a big install stays within TMDB's limits


def refresh_list(name: str) -> bool:
    if name not in dict(ROWS):
        return False
    return services.refresh_list(name)


def refresh_lists() -> int:
    """Every Discover row, from the source; the number refreshed."""
    return sum(services.refresh_list(name) for name, _label in ROWS)


def refresh_title(media_type: str, tmdb_id: int) -> bool:
    if media_type not in ("movie", "tv"):
        return False
    return services.refresh_title(media_type, int(tmdb_id))


def titles_to_refresh(now=None) -> list[tuple[str, int]]:
    """Titles looked at lately or ever requested, whose stored details are a day old or more."""
    now = now or utcnow()
    viewed = db.session.execute(
        select(DiscoverTitle.media_type, DiscoverTitle.tmdb_id).where(
            DiscoverTitle.last_viewed_at >= now - VIEWED_WITHIN
        )
    ).all()
    requested = db.session.execute(
        select(MediaRequest.media_type, MediaRequest.tmdb_id).distinct()
    ).all()
    fresh = {
        (kind, tmdb_id)
        for kind, tmdb_id in db.session.execute(
            select(DiscoverTitle.media_type, DiscoverTitle.tmdb_id).where(
                DiscoverTitle.detailed.is_(True),
                DiscoverTitle.fetched_at >= now - TITLE_MAX_AGE + SLACK,
            )
        ).all()
    }
    keys = dict.fromkeys((k, int(i)) for k, i in [*viewed, *requested] if k in ("movie", "tv"))
    return [key for key in keys if key not in fresh][:MAX_DAILY]


def refresh_details() -> int:
    """The daily refresh; stops early when TMDB asks us to wait."""
    if sources.current() is None:
        return 0
    done = 0
    for media_type, tmdb_id in titles_to_refresh():
        if tmdb.configured() and tmdb.backoff_left():
            log.info("TMDB asked us to wait; %d titles refreshed, the rest tomorrow", done)
            break
        done += services.refresh_title(media_type, tmdb_id)
    return done
