"""Where Discover's titles come from: TMDB with a key, else Overseerr's own discover API.

A source answers in `Title`s and raises `Unavailable` (or `RateLimited`) in plain words; the
services above it decide what is stored and what a page shows meanwhile.
"""

from typing import Protocol

from app.discover.titles import CastMember, Season, Title
from app.integrations import tmdb

LIST_NAMES = ("trending", "popular_movies", "popular_tv", "upcoming")
MAX_CAST = 12


class Unavailable(Exception):
    """The source could not answer now; the message is for people."""


class RateLimited(Unavailable):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(Exception):
    """The source has no such title."""


class Source(Protocol):
    name: str

    def fetch_list(self, name: str) -> list[Title]: ...

    def search(self, query: str, page: int = 1) -> tuple[list[Title], int]: ...

    def details(self, media_type: str, tmdb_id: int) -> Title: ...


def _year(raw) -> int | None:
    text = str(raw or "")[:4]
    return int(text) if text.isascii() and text.isdigit() else None


def _text(raw, limit: int = 2000) -> str:
    return str(raw or "")[:limit]


def _path(raw) -> str | None:
    return raw if isinstance(raw, str) and raw.startswith("/") and len(raw) < 100 else None


def title_from_result(item: dict, media_type: str | None = None) -> Title | None:
    """A card's title from one TMDB list or search result; None for people and oddities."""
    kind = item.get("media_type") or media_type
    tmdb_id = item.get("id")
    if kind not in ("movie", "tv") or type(tmdb_id) is not int or not 0 < tmdb_id < 2**31:
        return None
    name = item.get("title") if kind == "movie" else item.get("name")
    date = item.get("release_date") if kind == "movie" else item.get("first_air_date")
    return Title(
        media_type=kind,
        tmdb_id=tmdb_id,
        title=_text(name or item.get("original_title") or item.get("original_name"), 300),
        year=_year(date),
        overview=_text(item.get("overview")),
        poster_path=_path(item.get("poster_path")),
        backdrop_path=_path(item.get("backdrop_path")),
        extra={"date": _text(date, 10)},
    )


def title_from_details(body: dict, media_type: str) -> Title:
    """A detail page's title from TMDB's /movie/{id} or /tv/{id} with credits appended."""
    base = title_from_result({**body, "media_type": media_type})
    if base is None:
        raise Unavailable("TMDB sent a title we could not read.")
    runtime = body.get("runtime")
    if media_type == "tv":
        runs = [r for r in body.get("episode_run_time") or [] if isinstance(r, int)]
        runtime = runs[0] if runs else None
    cast = tuple(
        CastMember(
            _text(c.get("name"), 200), _text(c.get("character"), 200), _path(c.get("profile_path"))
        )
        for c in ((body.get("credits") or {}).get("cast") or [])[:MAX_CAST]
        if isinstance(c, dict) and c.get("name")
    )
    seasons = tuple(
        Season(
            number=s["season_number"],
            name=_text(s.get("name"), 200) or f"Season {s['season_number']}",
            episodes=s.get("episode_count") if isinstance(s.get("episode_count"), int) else 0,
            air_date=_text(s.get("air_date"), 10) or None,
        )
        for s in body.get("seasons") or []
        if isinstance(s, dict) and isinstance(s.get("season_number"), int)
    )
    tvdb = (body.get("external_ids") or {}).get("tvdb_id")
    genres = tuple(
        _text(g.get("name"), 80) for g in body.get("genres") or [] if isinstance(g, dict)
    )
    return Title(
        media_type=base.media_type,
        tmdb_id=base.tmdb_id,
        title=base.title,
        year=base.year,
        overview=base.overview,
        poster_path=base.poster_path,
        backdrop_path=base.backdrop_path,
        runtime=runtime if isinstance(runtime, int) and runtime > 0 else None,
        genres=genres,
        cast=cast,
        seasons=seasons,
        tvdb_id=tvdb if isinstance(tvdb, int) else None,
        extra={**base.extra, "status": _text(body.get("status"), 40), "detailed": True},
    )


class TmdbSource:
    """TMDB through one client, whose calls need no app context (a page runs them side by side)."""

    name = "tmdb"

    def __init__(self, client: tmdb.Client | None = None):
        self.client = client or tmdb.client()

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except tmdb.RateLimited as exc:
            raise RateLimited(str(exc), exc.retry_after) from None
        except tmdb.NotFound:
            raise NotFound() from None
        except tmdb.TmdbError as exc:
            raise Unavailable(str(exc)) from None

    def fetch_list(self, name: str) -> list[Title]:
        kind = {"popular_movies": "movie", "upcoming": "movie", "popular_tv": "tv"}.get(name)
        body = self._call(self.client.list_page, name, 1)
        titles = (title_from_result(r, kind) for r in body.get("results") or [])
        return [t for t in titles if t is not None]

    def search(self, query: str, page: int = 1) -> tuple[list[Title], int]:
        body = self._call(self.client.search, query, page)
        titles = [title_from_result(r) for r in body.get("results") or [] if isinstance(r, dict)]
        pages = body.get("total_pages")
        return [t for t in titles if t is not None], pages if isinstance(pages, int) else 1

    def details(self, media_type: str, tmdb_id: int) -> Title:
        return title_from_details(self._call(self.client.details, media_type, tmdb_id), media_type)


def current() -> Source | None:
    """The source Discover reads now: TMDB with a key; None when nothing is set up."""
    if tmdb.configured():
        return TmdbSource()
    from app.discover.overseerr_source import OverseerrSource  # it builds on this module

    return OverseerrSource.configured()
