"""The search page's query: what a person asked for, read from the query string, and its hits."""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.library.catalog import clean_text, section, year_range
from app.library.search import search
from app.models.library import MediaItem

SEARCH_TYPES = {
    "movie": "Movies",
    "show": "Shows",
    "season": "Seasons",
    "episode": "Episodes",
    "artist": "Artists",
    "album": "Albums",
    "track": "Tracks",
}
SEARCH_PAGE = 24
KIND_LABELS = {
    "movie": "Movie",
    "show": "Show",
    "season": "Season",
    "episode": "Episode",
    "artist": "Artist",
    "album": "Album",
    "track": "Track",
    "photo": "Photo",
}


@dataclass
class SearchQuery:
    """What a person searched for, read from a query string; odd values are dropped."""

    text: str = ""
    type: str = ""
    library: str = ""
    year_from: int | None = None
    year_to: int | None = None
    years_swapped: bool = False  # the years came backwards and were read the other way round

    @classmethod
    def parse(cls, args) -> "SearchQuery":
        kind = args.get("type") if args.get("type") in SEARCH_TYPES else ""
        year_from, year_to, swapped = year_range(args)
        return cls(
            text=(args.get("q") or "")[:200].strip(),
            type=kind,
            library=clean_text(args.get("library"), 32),
            year_from=year_from,
            year_to=year_to,
            years_swapped=swapped,
        )

    def params(self) -> dict:
        out = {"q": self.text}
        for name in ("type", "library", "year_from", "year_to"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out


def find(query: SearchQuery, include_hidden: bool, page: int = 1):
    """One page of search hits among the libraries this person may see."""
    found = section(query.library, include_hidden) if query.library else None
    page = min(max(page, 1), 1000)
    return search(
        query.text,
        include_hidden=include_hidden,
        types=[query.type] if query.type else None,
        section_ids=[found.id] if found else None,
        year_from=query.year_from,
        year_to=query.year_to,
        limit=SEARCH_PAGE,
        offset=(page - 1) * SEARCH_PAGE,
    )


def describe(items: list[MediaItem]) -> dict[int, str]:
    """What each hit is, in a line: "Track · Artist — Album", "Episode · Show S1E2", "Movie · 1999".

    The parents and grandparents of a page of hits are read in two small lookups by key.
    """
    parents = _by_keys({i.parent_rating_key for i in items})
    grandparents = _by_keys({p.parent_rating_key for p in parents.values()})

    def up(item: MediaItem | None, table: dict) -> MediaItem | None:
        return table.get(item.parent_rating_key) if item is not None else None

    return {
        item.id: _line(item, up(item, parents), up(up(item, parents), grandparents))
        for item in items
    }


def _line(item: MediaItem, parent: MediaItem | None, grandparent: MediaItem | None) -> str:
    kind = KIND_LABELS.get(item.type, item.type.capitalize())
    parts: list[str] = []
    if item.type == "episode":
        show = grandparent.title if grandparent else ""
        number = ""
        if parent is not None and parent.index is not None and item.index is not None:
            number = f"S{parent.index}E{item.index}"
        parts.append(" ".join(p for p in (show, number) if p))
    elif item.type == "track":
        parts.append(" — ".join(t.title for t in (grandparent, parent) if t is not None))
    elif item.type in ("season", "album"):
        parts.append(parent.title if parent else "")
        parts.append(str(item.year) if item.type == "album" and item.year else "")
    elif item.year:
        parts.append(str(item.year))
    return " · ".join([kind, *(p for p in parts if p)])


def _by_keys(keys: set) -> dict[int, MediaItem]:
    keys.discard(None)
    if not keys:
        return {}
    query = select(MediaItem).where(MediaItem.rating_key.in_(keys))
    return {item.rating_key: item for item in db.session.scalars(query)}
