"""A show's seasons as its page lists them: on Plex, requested (and how far along), or neither."""

from dataclasses import dataclass

from app.discover.titles import Season, Title
from app.library.matching import OnPlex
from app.requests import states
from app.requests.lookup import TitleRequests


@dataclass(frozen=True)
class SeasonRow:
    season: Season
    on_plex: bool
    requested: str | None  # the request's words, when this season was asked for


def rows(title: Title, on_plex: OnPlex | None, requested: TitleRequests | None) -> list[SeasonRow]:
    if title.media_type != "tv":
        return []
    have = set(on_plex.seasons) if on_plex else set()
    asked = requested.seasons if requested else set()
    label = states.season_label(requested.status) if requested else None
    return [
        SeasonRow(
            s, s.number in have, label if s.number in asked and s.number not in have else None
        )
        for s in title.seasons
    ]
