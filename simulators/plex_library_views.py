"""The library endpoints of the loopback Plex Media Server, answered from ``PlexServerState``.

Library endpoints: ``/library/sections``, ``/library/sections/{key}/all`` (paged by
``X-Plex-Container-Start``/``-Size`` in headers or query; ``includeGuids``, ``type``, ``sort``,
``title``), ``/library/recentlyAdded`` and ``/library/sections/{key}/recentlyAdded``,
``/library/metadata/{ratingKey}`` and ``/children``, ``/library/sections/{key}/refresh?path=``
(recorded; a folder library also scans the path when it lies inside its location).
Collections are in ``simulators.plex_collection_views``. Images
(``/library/metadata/{ratingKey}/thumb|art/{ts}``, ``/photo/:/transcode``) are in
``simulators.plex_images``.
"""

import heapq
import itertools

from flask import Blueprint, Response, request

from simulators.faults import html_error
from simulators.plex_layout import (
    LEVELS,
    LIBRARY_IDENTIFIER,
    MAX_TOP_ITEMS,
    MEDIA_TAG_PREFIX,
    MEDIA_TAG_VERSION,
    SECTION_FACTS,
    TYPE_NUMBERS,
)
from simulators.plex_library import Library
from simulators.plex_listings import (
    find_library,
    library_of,
    library_response,
    library_state,
    metadata_head,
    paged,
    paging,
    section_art,
    section_attrs,
    section_meta,
)

# The `type=` number of collections in a section's /all.
COLLECTION_TYPE = 18

bp = Blueprint("plex_library", __name__)


@bp.get("/library")
def library_root():
    directories = [
        ("Directory", {"key": "sections", "title": "Library Sections"}, ()),
        ("Directory", {"key": "recentlyAdded", "title": "Recently Added Content"}, ()),
        ("Directory", {"key": "onDeck", "title": "On Deck Content"}, ()),
    ]
    head = {
        "size": len(directories),
        "allowSync": False,
        "art": "/:/resources/library-art.jpg",
        "content": "",
        "identifier": LIBRARY_IDENTIFIER,
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
        "title1": "Plex Library",
        "title2": "",
    }
    return library_response(head, directories, list_key="Directory")


@bp.get("/library/sections")
def sections():
    state = library_state()
    libraries = list(state.libraries.values()) if state is not None else []
    directories = []
    for library in libraries:
        art, thumb = section_art(library)
        attrs = {
            "allowSync": True,
            "art": art,
            "composite": f"/library/sections/{library.key}/composite/{library.updated_at}",
            "filters": True,
            "refreshing": library.refreshing,
            "thumb": thumb,
            "key": library.key,
            "type": library.type,
            "title": library.title,
            "agent": library.agent,
            "scanner": library.scanner,
            "language": "en-US",
            "uuid": library.uuid,
            "updatedAt": library.updated_at,
            "createdAt": library.created_at,
            "scannedAt": library.scanned_at,
            "content": True,
            "directory": True,
            "contentChangedAt": 100_000_000 + library.number * 1_000 + len(library),
            "hidden": library.hidden,
        }
        location = ("Location", {"id": library.location_id, "path": library.location}, ())
        directories.append(("Directory", attrs, [location]))
    head = {
        "size": len(directories),
        "allowSync": False,
        "identifier": LIBRARY_IDENTIFIER,
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
        "title1": "Plex Library",
    }
    return library_response(head, directories, list_key="Directory")


@bp.get("/library/sections/<key>/all")
def section_all(key):
    library = find_library(key)
    if library is None:
        return html_error(404)
    state = library_state()
    levels = LEVELS[library.type]
    wanted = request.args.get("type")
    level = 0
    if wanted == str(COLLECTION_TYPE):
        level = COLLECTION_TYPE
    elif wanted:
        numbers = [TYPE_NUMBERS[kind] for kind in levels]
        level = numbers.index(int(wanted)) if wanted.isdigit() and int(wanted) in numbers else -1
    guids = request.args.get("includeGuids") == "1"
    if level == 0:
        entries = _sorted(library, request.args.get("sort"))
        wanted_title = request.args.get("title", "").casefold()
        if wanted_title:
            # PMS's title filter matches titles that contain the words asked for.
            entries = [i for i in entries if wanted_title in library.title_of(i).casefold()]
        entries = _Single(entries)
    elif level == 1:
        entries = library.season_entries()
    elif level == 2:
        entries = library.leaves()
    elif level == COLLECTION_TYPE:
        entries = [(n,) for n in range(len(library.collection_names))]
    else:
        entries = []
    head = section_attrs(library)
    head["title2"] = SECTION_FACTS[library.type][3]
    head["viewGroup"] = "collection" if level == COLLECTION_TYPE else levels[max(level, 0)]
    meta = section_meta(library) if request.args.get("includeMeta") == "1" else None

    def node(entry):
        if level == COLLECTION_TYPE:
            return library.collection_node(*entry)
        return library.node(*entry, guids=guids)

    return paged(entries, node, head, mode=state.malformed, fails=state.page_fails, meta=meta)


def _sorted(library: Library, sort: str | None) -> list[int]:
    field_name, _, direction = (sort or "titleSort").split(",")[0].partition(":")
    field_name = field_name.rpartition(".")[2]  # "movie.addedAt" names the type too
    if field_name == "addedAt":
        order = library.recent()
        return order if direction == "desc" else order[::-1]
    if field_name == "updatedAt":
        order = sorted(library.order(), key=library.updated_at_of)
    else:
        order = library.order()
    return order[::-1] if direction == "desc" else order


class _Single:
    """A list of indexes seen as a list of one-element tuples, without building them all."""

    def __init__(self, indexes: list[int]):
        self.indexes = indexes

    def __len__(self) -> int:
        return len(self.indexes)

    def __getitem__(self, part: slice) -> list[tuple[int]]:
        return [(i,) for i in self.indexes[part]]


def _recent_head(library: Library | None) -> dict:
    head = {
        "allowSync": True,
        "identifier": LIBRARY_IDENTIFIER,
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
        "mixedParents": True,
    }
    if library is not None:
        head.update(section_attrs(library))
        head["title2"] = "Recently Added"
    return head


def _recent_node(library: Library, index: int):
    tag, attrs, children = library.node(index)
    attrs["librarySectionTitle"] = library.title
    attrs["librarySectionID"] = library.number
    attrs["librarySectionKey"] = f"/library/sections/{library.key}"
    return tag, attrs, children


@bp.get("/library/recentlyAdded")
def recently_added():
    state = library_state()
    libraries = list(state.libraries.values()) if state is not None else []
    start, size = paging()
    wanted = (start or 0) + (size if size is not None else MAX_TOP_ITEMS * len(libraries))
    streams = [[(library, index) for index in library.recent()] for library in libraries]
    merged = heapq.merge(*streams, key=lambda entry: -entry[0].added_at_of(entry[1]))
    entries = list(itertools.islice(merged, wanted))
    total = sum(len(stream) for stream in streams)
    mode = state.malformed if state is not None else None
    return paged(
        entries, lambda entry: _recent_node(*entry), _recent_head(None), mode=mode, total=total
    )


@bp.get("/library/sections/<key>/recentlyAdded")
def section_recently_added(key):
    library = find_library(key)
    if library is None:
        return html_error(404)
    entries = library.recent()
    return paged(
        entries,
        lambda index: _recent_node(library, index),
        _recent_head(library),
        mode=library_state().malformed,
    )


@bp.get("/library/metadata/<rating_keys>")
def metadata(rating_keys):
    nodes, library = [], None
    for rating_key in rating_keys.split(","):
        library = library_of(rating_key) or library
        found = library.locate(rating_key) if library is not None else None
        if found is None:
            continue
        if found[0] == "collection":
            tag, attrs, children = library.collection_node(found[1])
            attrs.update(
                librarySectionTitle=library.title,
                librarySectionID=library.number,
                librarySectionKey=f"/library/sections/{library.key}",
            )
            nodes.append((tag, attrs, children))
        else:
            nodes.append(library.node(*found[1:], detail=True, guids=True))
    if not nodes:
        return html_error(404)
    head = {"size": len(nodes), **metadata_head(library)}
    return library_response(head, nodes)


@bp.get("/library/metadata/<rating_key>/children")
def metadata_children(rating_key):
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None or found[0] != "item" or found[3]:
        return html_error(404)
    _kind, index, season, _episode = found
    parent_tag, parent, _children = library.node(index, season)
    levels = LEVELS[library.type]
    entries = library.children_of(index, season)
    head = metadata_head(library)
    head.update(
        art=parent.get("art"),
        key=parent["ratingKey"],
        nocache=True,
        parentIndex=parent.get("index"),
        parentTitle=parent["title"],
        parentYear=parent.get("year"),
        summary=parent.get("summary"),
        thumb=parent.get("thumb"),
        title1=parent.get("parentTitle") or library.title,
        title2=parent["title"],
        viewGroup=levels[min(len(levels) - 1, 2 if season else 1)],
    )
    return paged(entries, lambda entry: library.node(*entry), head)


@bp.get("/library/metadata/<rating_key>/allLeaves")
def metadata_all_leaves(rating_key):
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None or found[0] != "item" or found[3] or library.type == "movie":
        return html_error(404)
    _kind, index, season, _episode = found
    entries = library.leaves_of(index, season)
    parent = library.node(index, season)[1]
    head = metadata_head(library)
    head.update(
        key=parent["ratingKey"],
        nocache=True,
        parentIndex=parent.get("index"),
        parentTitle=parent["title"],
        title1=parent["title"],
        title2="All episodes" if library.type == "show" else "All tracks",
        viewGroup=LEVELS[library.type][2],
    )
    guids = request.args.get("includeGuids") == "1"
    return paged(entries, lambda entry: library.node(*entry, guids=guids), head)


@bp.route("/library/sections/<key>/refresh", methods=["GET", "POST", "PUT"])
def section_refresh(key):
    library = find_library(key)
    if library is None:
        return html_error(404)
    state = library_state()
    path = request.args.get("path")
    state.refreshes.append((library.key, path))
    if hasattr(library, "scan"):
        state.start_scan(library, path)
    return Response(b"", 200)
