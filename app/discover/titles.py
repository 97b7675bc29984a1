"""A movie or show as Discover shows it, whichever source (TMDB or Overseerr) described it."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Season:
    number: int  # 0 is "Specials", never part of "all seasons"
    name: str
    episodes: int = 0
    air_date: str | None = None


@dataclass(frozen=True)
class CastMember:
    name: str
    character: str = ""
    profile_path: str | None = None


@dataclass(frozen=True)
class Title:
    media_type: str  # movie | tv
    tmdb_id: int
    title: str
    year: int | None = None
    overview: str = ""
    poster_path: str | None = None  # TMDB image path ("/abc.jpg"), shown through our proxy
    backdrop_path: str | None = None
    runtime: int | None = None  # minutes (a movie's, or a show's typical episode)
    genres: tuple[str, ...] = ()
    cast: tuple[CastMember, ...] = ()
    seasons: tuple[Season, ...] = ()  # shows only; empty on list cards
    tvdb_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.media_type, self.tmdb_id)

    @property
    def requestable_seasons(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.seasons if s.number > 0)
