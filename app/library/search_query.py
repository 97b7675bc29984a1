"""The search page's query: what a person asked for, read from the query string, and its hits."""

from dataclasses import dataclass

from app.library.catalog import clean_text, parse_year, section
from app.library.search import search

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


@dataclass
class SearchQuery:
    """What a person searched for, read from a query string; odd values are dropped."""

    text: str = ""
    type: str = ""
    library: str = ""
    year_from: int | None = None
    year_to: int | None = None

    @classmethod
    def parse(cls, args) -> "SearchQuery":
        kind = args.get("type") if args.get("type") in SEARCH_TYPES else ""
        return cls(
            text=(args.get("q") or "")[:200].strip(),
            type=kind,
            library=clean_text(args.get("library"), 32),
            year_from=parse_year(args.get("year_from")),
            year_to=parse_year(args.get("year_to")),
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
