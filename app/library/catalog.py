"""Reading the catalog for people: libraries they may see, poster grids, items and collections."""

import time
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import current_app
from sqlalchemy import Select, and_, exists, func, literal_column, select

from app import settings
from app.extensions import db
from app.library import section_rows
from app.library.parse import people_by_kind
from app.models.library import ItemTag, LibrarySection, MediaItem, SyncRun

PER_PAGE = 48
KEEP_SECONDS = 600  # filter menus and counts are read again after this at the latest
KEEP_ENTRIES = 1000
RECENT_COUNT = 12
# The items a library's grid shows: the top of each library type's tree.
MAIN_TYPE = {"movie": "movie", "show": "show", "artist": "artist", "photo": "photo"}
RECENT_TYPES = ("movie", "show", "artist")
COUNTED_TYPES = tuple(section_rows.MAIN_TYPE)  # whose item_count the sync keeps, as grids count
# Each matches an index of migration 0006 exactly. An unknown year or rating sorts as 0, as
# Plex sorts it: first from the lowest, last from the highest.
SORTS = {
    "title": lambda: func.lower(func.coalesce(MediaItem.sort_title, MediaItem.title)),
    "year": lambda: func.coalesce(MediaItem.year, literal_column("0")),
    "added": lambda: MediaItem.added_at,
    "rating": lambda: func.coalesce(MediaItem.rating, literal_column("0")),
}
SORT_LABELS = {"title": "Title", "year": "Year", "added": "Date added", "rating": "Rating"}
DEFAULT_ORDER = {"title": "asc", "year": "desc", "added": "desc", "rating": "desc"}
RESOLUTION_LABELS = {"4k": "4K", "sd": "SD"}
PEOPLE_KINDS = (("director", "Directed by"), ("writer", "Written by"), ("actor", "Starring"))
PLAY_URL = "{app}/desktop/#!/server/{machine}/details?key={key}"


def parse_year(raw) -> int | None:
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and 1800 <= int(raw) <= 2999:
        return int(raw)
    return None


def year_range(args) -> tuple[int | None, int | None, bool]:
    """(from, to, swapped): a range typed backwards ("from 1990 to 1950") is read forwards."""
    start, end = parse_year(args.get("year_from")), parse_year(args.get("year_to"))
    if start and end and start > end:
        return end, start, True
    return start, end, False


def clean_text(raw, limit: int = 255) -> str:
    raw = (raw or "").strip()
    return raw if len(raw) <= limit and raw.isprintable() else ""


@dataclass
class View:
    """How a grid is sorted and filtered, as read from a query string; odd values are dropped."""

    sort: str = "title"
    order: str = "asc"
    year_from: int | None = None
    year_to: int | None = None
    genre: str = ""
    resolution: str = ""
    collection: str = ""
    years_swapped: bool = False  # the years came backwards and were read the other way round

    @classmethod
    def parse(cls, args) -> "View":
        sort = args.get("sort") if args.get("sort") in SORTS else "title"
        order = args.get("order") if args.get("order") in ("asc", "desc") else DEFAULT_ORDER[sort]
        year_from, year_to, swapped = year_range(args)
        return cls(
            sort=sort,
            order=order,
            year_from=year_from,
            year_to=year_to,
            years_swapped=swapped,
            genre=clean_text(args.get("genre")),
            resolution=clean_text(args.get("resolution"), 16),
            collection=clean_text(args.get("collection")),
        )

    @property
    def filtered(self) -> bool:
        return bool(
            self.year_from or self.year_to or self.genre or self.resolution or self.collection
        )

    def params(self) -> dict:
        """The query string of this view, without what is already the default."""
        out = {}
        if self.sort != "title":
            out["sort"] = self.sort
        if self.order != DEFAULT_ORDER[self.sort]:
            out["order"] = self.order
        for name in ("year_from", "year_to", "genre", "resolution", "collection"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out


@dataclass
class Grid:
    items: list
    page: int
    has_next: bool
    total: int | None = None


@dataclass
class Details:
    tags: dict = field(default_factory=dict)
    people: list = field(default_factory=list)
    children: list = field(default_factory=list)
    grandchildren: dict = field(default_factory=dict)
    parent: MediaItem | None = None
    grandparent: MediaItem | None = None


def live() -> Select:
    """Items still on the server."""
    return select(MediaItem).where(MediaItem.removed_at.is_(None))


def _listed(include_hidden: bool) -> Select:
    """The libraries this person may see: still on Plex, and not hidden unless asked."""
    query = select(LibrarySection).where(LibrarySection.removed_at.is_(None))
    if not include_hidden:
        query = query.where(LibrarySection.hidden.is_(False))
    return query


def visible(query: Select, include_hidden: bool) -> Select:
    listed = _listed(include_hidden).with_only_columns(LibrarySection.id)
    return query.where(MediaItem.section_id.in_(listed))


def sections(include_hidden: bool) -> list[LibrarySection]:
    query = _listed(include_hidden).order_by(func.lower(LibrarySection.title))
    return list(db.session.scalars(query))


def section(key: str, include_hidden: bool) -> LibrarySection | None:
    query = _listed(include_hidden).where(LibrarySection.key == key)
    return db.session.scalars(query).first()


def _top(section: LibrarySection) -> Select:
    query = live().where(MediaItem.section_id == section.id)
    main = MAIN_TYPE.get(section.type)
    if main:
        return query.where(MediaItem.type == main)
    return query.where(MediaItem.parent_rating_key.is_(None))


def _tagged(kind: str, value: str):
    return exists().where(
        and_(ItemTag.item_id == MediaItem.id, ItemTag.kind == kind, ItemTag.value == value)
    )


def _filtered(query: Select, view: View) -> Select:
    # On the plain column, which no index leads with: walking the grid's sort index and
    # testing the year beats reading a decade from the year index and sorting it all.
    if view.year_from:
        query = query.where(MediaItem.year >= view.year_from)
    if view.year_to:
        query = query.where(MediaItem.year <= view.year_to)
    if view.resolution:
        query = query.where(MediaItem.video_resolution == view.resolution)
    if view.genre:
        query = query.where(_tagged("genre", view.genre))
    if view.collection:
        query = query.where(_tagged("collection", view.collection))
    return query


def _sorted(query: Select, view: View) -> Select:
    # No NULLS LAST: the sort index is then read forwards or backwards for either direction.
    key = SORTS[view.sort]()
    if view.order == "asc":
        return query.order_by(key.asc(), MediaItem.id.asc())
    return query.order_by(key.desc(), MediaItem.id.desc())


def _page(query: Select, page: int, per_page: int) -> Grid:
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return Grid(rows[:per_page], page, len(rows) > per_page)


def grid(
    section: LibrarySection, view: View, page: int = 1, per_page: int = PER_PAGE, count=True
) -> Grid:
    """One page of a library's poster grid; the total only when asked (the first page)."""
    page = min(max(page, 1), 100_000)
    query = _filtered(_top(section), view)
    found = _page(_sorted(query, view), page, per_page)
    if count and not view.filtered and section.type in COUNTED_TYPES:
        found.total = section.item_count  # kept by every sync: no count of the whole library
    elif count:
        found.total = _count(section, query, view)
    return found


def _count(section: LibrarySection, query: Select, view: View) -> int:
    """How many items a filtered view holds; kept per process like the filter menus."""
    key = (section.id, view.year_from, view.year_to, view.genre, view.resolution, view.collection)
    return _kept(
        "medianest.library_counts",
        key,
        section,
        lambda: db.session.scalar(
            select(func.count()).select_from(query.with_only_columns(MediaItem.id).subquery())
        ),
    )


def _kept(name: str, key, section: LibrarySection, read):
    """read()'s answer, kept in this process until a sync changes the library (or a while).

    What is kept goes through every item of a library (up to half a second at 100,000), and
    only changes when a sync does.
    """
    cache = current_app.extensions.setdefault(name, {})
    stamp = (section.last_synced_at, section.item_count)
    kept = cache.get(key)
    if kept and kept[0] == stamp and time.monotonic() - kept[1] < KEEP_SECONDS:
        return kept[2]
    if len(cache) >= KEEP_ENTRIES:
        cache.clear()
    value = read()
    cache[key] = (stamp, time.monotonic(), value)
    return value


def filter_options(section: LibrarySection) -> dict:
    """The genres, resolutions and collections found in a library, for its filter menus."""
    return _kept(
        "medianest.library_facets", section.id, section, lambda: _read_filter_options(section)
    )


def _read_filter_options(section: LibrarySection) -> dict:
    top = _top(section).with_only_columns(MediaItem.id).scalar_subquery()

    def tags(kind: str) -> list[str]:
        query = (
            select(ItemTag.value)
            .where(ItemTag.kind == kind, ItemTag.item_id.in_(top))
            .distinct()
            .order_by(ItemTag.value)
            .limit(500)
        )
        return list(db.session.scalars(query))

    resolutions = db.session.scalars(
        select(MediaItem.video_resolution)
        .where(
            MediaItem.section_id == section.id,
            MediaItem.removed_at.is_(None),
            MediaItem.video_resolution.is_not(None),
        )
        .distinct()
    )
    return {
        "genres": tags("genre"),
        "collections": tags("collection"),
        "resolutions": sorted(set(resolutions), key=_resolution_order),
    }


def _resolution_order(value: str) -> tuple:
    if value.isascii() and value.isdigit():  # Plex's data: "²" is a digit to isdigit()
        return (1, -int(value))
    return (0 if value == "4k" else 2, value)


def resolution_label(value: str | None) -> str:
    if not value:
        return ""
    return RESOLUTION_LABELS.get(
        value.lower(), f"{value}p" if value.isascii() and value.isdigit() else value
    )


def item(rating_key: int, include_hidden: bool) -> MediaItem | None:
    query = visible(live().where(MediaItem.rating_key == rating_key), include_hidden)
    return db.session.scalars(query).first()


def section_of(item: MediaItem) -> LibrarySection:
    return db.session.get(LibrarySection, item.section_id)


def _by_key(rating_key: int | None) -> MediaItem | None:
    if rating_key is None:
        return None
    return db.session.scalars(live().where(MediaItem.rating_key == rating_key)).first()


def children(rating_key: int) -> list[MediaItem]:
    query = live().where(MediaItem.parent_rating_key == rating_key)
    return list(db.session.scalars(query.order_by(MediaItem.index, MediaItem.title, MediaItem.id)))


def details(item: MediaItem) -> Details:
    """Tags, people, parents and children of an item, for its page."""
    out = Details()
    for tag in db.session.scalars(
        select(ItemTag).where(ItemTag.item_id == item.id).order_by(ItemTag.id)
    ):
        out.tags.setdefault(tag.kind, []).append(tag.value)
    named = people_by_kind(item.people)
    for kind, _label in PEOPLE_KINDS:  # tag rows of people from before they moved to the row
        named[kind] = out.tags.pop(kind, None) or named[kind]
    out.people = [(label, named[kind]) for kind, label in PEOPLE_KINDS if named[kind]]
    out.parent = _by_key(item.parent_rating_key)
    out.grandparent = _by_key(out.parent.parent_rating_key) if out.parent else None
    out.children = children(item.rating_key)
    if item.type == "show":
        out.grandchildren = {child.rating_key: children(child.rating_key) for child in out.children}
    return out


def collections(section: LibrarySection) -> list[dict]:
    """The collections of a library with their member counts and one poster each."""
    top = _top(section).subquery()
    query = (
        select(ItemTag.value, func.count(), func.min(top.c.thumb))
        .join(top, top.c.id == ItemTag.item_id)
        .where(ItemTag.kind == "collection")
        .group_by(ItemTag.value)
        .order_by(func.lower(ItemTag.value))
    )
    return [{"name": n, "count": c, "thumb": t} for n, c, t in db.session.execute(query)]


def collection(section: LibrarySection, name: str, page: int, count: bool = True) -> Grid:
    view = View(sort="year", order="asc", collection=name)
    return grid(section, view, page, count=count)


def recently_added(include_hidden: bool, limit: int = RECENT_COUNT) -> list[MediaItem]:
    query = live().where(MediaItem.type.in_(RECENT_TYPES), MediaItem.added_at.is_not(None))
    # Newest first straight from the added_at index (NULLS LAST would make it sort them all).
    query = visible(query, include_hidden).order_by(MediaItem.added_at.desc(), MediaItem.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def image_allowed(rating_key: int, include_hidden: bool) -> bool:
    """Whether this person may see the images of an item (none of hidden libraries)."""
    query = select(MediaItem.id).where(
        MediaItem.rating_key == rating_key, MediaItem.removed_at.is_(None)
    )
    query = visible(query, include_hidden)
    return db.session.scalar(query.limit(1)) is not None


def server_problem() -> str | None:
    """Why the Plex server may be out of reach, in plain words, or None when all looks well."""
    if not (settings.get("plex.server_url") and settings.get("plex.owner_token")):
        return "Plex is not connected, so what you see here may be out of date."
    last = db.session.scalars(
        select(SyncRun).where(SyncRun.status != "running").order_by(SyncRun.id.desc()).limit(1)
    ).first()
    if last is not None and last.status == "failed" and last.error:
        return (
            "The Plex server can't be reached right now. You are browsing the catalog "
            "as it was last synced; playing may not work until it is back."
        )
    return None


def play_url(rating_key: int, app_url: str = "https://app.plex.tv") -> str | None:
    machine = settings.get("plex.machine_id")
    if not machine:
        return None
    key = quote(f"/library/metadata/{rating_key}", safe="")
    return PLAY_URL.format(app=app_url.rstrip("/"), machine=quote(machine, safe=""), key=key)


def runtime(duration_ms: int | None) -> str:
    if not duration_ms or duration_ms <= 0:
        return ""
    minutes = round(duration_ms / 60000)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{max(minutes, 1)} min"
