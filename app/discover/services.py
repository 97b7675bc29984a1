"""Discover's logic: rows, search and title pages, answered from our database first.

Order of answers: what is stored (shown even when old, with a refresh enqueued), else the source
(stored for next time). A source that cannot answer leaves stored titles on screen and a plain
message beside them.
"""

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from app.discover import cards, sources, store
from app.discover.cards import Card
from app.discover.titles import Title
from app.extensions import redis_conn
from app.jobs import enqueue

log = logging.getLogger(__name__)

ROWS = (
    ("trending", "Trending this week"),
    ("popular_movies", "Popular movies"),
    ("popular_tv", "Popular shows"),
    ("upcoming", "Coming soon"),
)
SEARCH_TTL = 24 * 3600
SEARCH_KEY = "medianest:discover:search:"
MAX_QUERY = 100  # characters of a search sent on; TMDB finds nothing longer anyway
MAX_SEARCH_PAGE = 50


@dataclass
class Row:
    name: str
    label: str
    cards: list[Card] = field(default_factory=list)


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    problem: str | None = None  # why some of it may be old or missing
    not_set_up: bool = False


def _enqueue(func: str, *args, job_id: str) -> None:
    try:
        enqueue(f"app.discover.tasks.{func}", *args, job_id=job_id)
    except RedisError as exc:
        log.warning("Could not enqueue %s: %s", func, exc)


def _fetch_lists(source, names) -> tuple[dict[str, list[Title]], str | None]:
    """Read several lists from the source side by side; their titles, and a problem if any."""
    if not names:
        return {}, None
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {name: pool.submit(source.fetch_list, name) for name in names}
    found, problem = {}, None
    for name, future in futures.items():
        try:
            found[name] = future.result()
        except sources.Unavailable as exc:
            problem = str(exc)
    return found, problem


def discover_page(viewer) -> Page:
    """The Discover page's rows for this person."""
    source = sources.current()
    names = [name for name, _label in ROWS]
    stored = store.stored_lists(names)
    if source is None and not stored:
        return Page(not_set_up=True)
    problem = None
    if source is not None:
        fetched, problem = _fetch_lists(source, [n for n in names if n not in stored])
        store.save_lists(fetched, source=source.name)
        for name, row in stored.items():
            if store.is_stale(row.fetched_at, store.LIST_MAX_AGE):
                _enqueue("refresh_list", name, job_id=f"discover-list-{name}")
        stored = store.stored_lists(names)
    keys = {name: [tuple(k) for k in row.keys] for name, row in stored.items()}
    titles = store.titles_for(k for ks in keys.values() for k in ks)
    every = [titles[k] for ks in keys.values() for k in ks if k in titles]
    made = cards.cards_for(every, viewer)
    rows = [
        Row(name, label, [made[k] for k in keys.get(name, []) if k in made]) for name, label in ROWS
    ]
    return Page(rows=rows, problem=problem)


@dataclass
class SearchResult:
    query: str
    cards: list[Card] = field(default_factory=list)
    page: int = 1
    pages: int = 0
    problem: str | None = None
    not_set_up: bool = False


def clean_query(raw: str | None) -> str:
    """What someone typed, as a search: printable, single-spaced, at most MAX_QUERY characters."""
    text = "".join(c if c.isprintable() else " " for c in (raw or "")[: MAX_QUERY * 4])
    return " ".join(text.split())[:MAX_QUERY]


def _search_key(query: str, page: int) -> str:
    digest = hashlib.sha256(query.casefold().encode()).hexdigest()[:32]
    return f"{SEARCH_KEY}{digest}:{page}"


def _cached_search(query: str, page: int) -> dict | None:
    try:
        raw = redis_conn().get(_search_key(query, page))
    except RedisError:
        return None
    return json.loads(raw) if raw else None


def _remember_search(query: str, page: int, titles: list[Title], pages: int) -> None:
    body = json.dumps({"keys": [list(t.key) for t in titles], "pages": pages})
    try:
        redis_conn().set(_search_key(query, page), body, ex=SEARCH_TTL)
    except RedisError as exc:
        log.warning("Could not keep a Discover search: %s", exc)


def search(viewer, raw_query: str | None, page: int = 1) -> SearchResult:
    """Movies and shows matching what was typed, from the 24 h search cache or the source."""
    query, page = clean_query(raw_query), min(max(page, 1), MAX_SEARCH_PAGE)
    result = SearchResult(query=query, page=page)
    if not query:
        return result
    cached = _cached_search(query, page)
    if cached is not None:
        keys = [tuple(k) for k in cached["keys"]]
        stored = store.titles_for(keys)
        titles, result.pages = [stored[k] for k in keys if k in stored], cached["pages"]
    else:
        source = sources.current()
        if source is None:
            result.not_set_up = True
            return result
        try:
            titles, result.pages = source.search(query, page)
        except sources.Unavailable as exc:
            result.problem = str(exc)
            return result
        store.save_titles(titles, source=source.name)
        _remember_search(query, page, titles, result.pages)
    made = cards.cards_for(titles, viewer)
    result.cards = [made[t.key] for t in titles if t.key in made]
    return result


@dataclass
class TitlePage:
    title: Title | None = None
    problem: str | None = None
    missing: bool = False  # the source has no such title
    not_set_up: bool = False


def title_page(media_type: str, tmdb_id: int) -> TitlePage:
    """A title with its details: stored (refreshed in the background when old) or fetched now."""
    row = store.title_row(media_type, tmdb_id)
    if row is not None and row.detailed:
        if store.is_stale(row.fetched_at, store.TITLE_MAX_AGE):
            job_id = f"discover-title-{media_type}-{tmdb_id}"
            _enqueue("refresh_title", media_type, tmdb_id, job_id=job_id)
        store.viewed(media_type, tmdb_id)
        return TitlePage(title=store.from_data(row.data))
    source = sources.current()
    if source is None:
        return TitlePage(not_set_up=True)
    try:
        title = source.details(media_type, tmdb_id)
    except sources.NotFound:
        return TitlePage(missing=True)
    except sources.Unavailable as exc:
        # A card we stored from a list is better than nothing while the source is away.
        return TitlePage(title=store.from_data(row.data) if row else None, problem=str(exc))
    store.save_titles([title], detailed=True, source=source.name)
    store.viewed(media_type, tmdb_id)
    return TitlePage(title=title)


def refresh_list(name: str) -> bool:
    """Read one list from the source and store it; False when the source could not answer."""
    source = sources.current()
    if source is None:
        return False
    try:
        titles = source.fetch_list(name)
    except sources.Unavailable as exc:
        log.info("Discover list %s not refreshed: %s", name, exc)
        return False
    store.save_list(name, titles, source=source.name)
    return True


def refresh_title(media_type: str, tmdb_id: int) -> bool:
    source = sources.current()
    if source is None:
        return False
    try:
        title = source.details(media_type, tmdb_id)
    except (sources.Unavailable, sources.NotFound) as exc:
        log.info("Discover title %s/%s not refreshed: %r", media_type, tmdb_id, exc)
        return False
    store.save_titles([title], detailed=True, source=source.name)
    return True
