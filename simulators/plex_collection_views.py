"""The collection endpoints of the loopback Plex Media Server, answered from ``PlexServerState``.

``/library/sections/{key}/collections``, ``/library/collections/{ratingKey}`` and its
``/children`` (or ``/items``), ``POST /library/collections``,
``PUT /library/collections/{ratingKey}/items``, ``PUT .../items/{key}/move?after=``,
``DELETE .../children/{key}`` (or ``.../items/{key}``, as plexapi sends it) and
``PUT /library/collections/{ratingKey}/prefs?collectionSort=``. The other library endpoints are in
``simulators.plex_library_views``.
"""

from flask import Blueprint, Response, request

from simulators.faults import html_error
from simulators.plex_library import Library
from simulators.plex_listings import (
    find_library,
    library_of,
    library_response,
    library_state,
    metadata_head,
    paged,
    section_attrs,
)

bp = Blueprint("plex_collections", __name__)


@bp.get("/library/sections/<key>/collections")
def section_collections(key):
    library = find_library(key)
    if library is None:
        return html_error(404)
    head = section_attrs(library)
    head.update(content=None, nocache=None, sortAsc=True, title2="All Collections")
    head["viewGroup"] = library.type
    head["viewMode"] = 131122
    entries = list(range(len(library.collection_names)))
    return paged(entries, library.collection_node, head)


@bp.get("/library/collections/<rating_key>/children")
@bp.get("/library/collections/<rating_key>/items")
def collection_children(rating_key):
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None or found[0] != "collection":
        return html_error(404)
    head = section_attrs(library)
    head.update(content=None, nocache=None, title2=library.collection_names[found[1]])
    head["viewGroup"] = library.type
    members = library.collection_members(found[1])
    return paged(members, library.member_node, head, mode=library_state().malformed)


def _uri_indexes(library: Library, uri: str) -> list[int]:
    """Return the members of ``library`` named by a server:// URI's metadata keys."""
    _, _, keys = uri.partition("/library/metadata/")
    found = [library.collectable(rating_key) for rating_key in keys.split(",")]
    return [member for member in found if member is not None]


def _collection_of(rating_key) -> tuple[Library | None, int | None]:
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None or found[0] != "collection":
        return None, None
    return library, found[1]


def _collection_answer(library: Library, number: int) -> Response:
    tag, attrs, children = library.collection_node(number)
    attrs.update(
        librarySectionTitle=library.title,
        librarySectionID=library.number,
        librarySectionKey=f"/library/sections/{library.key}",
    )
    head = {"size": 1, **metadata_head(library)}
    return library_response(head, [(tag, attrs, children)])


@bp.get("/library/collections/<rating_key>")
def collection(rating_key):
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None or found[0] != "collection":
        return html_error(404)
    return _collection_answer(library, found[1])


@bp.post("/library/collections")
def create_collection():
    library = find_library(request.args.get("sectionId", ""))
    title = request.args.get("title", "").strip()
    smart = request.args.get("smart") == "1"
    uri = request.args.get("uri", "")
    if library is None or not title or (smart and not uri):
        return html_error(400)
    number = library.add_collection(title, [] if smart else _uri_indexes(library, uri))
    library.changed()
    return _collection_answer(library, number)


@bp.put("/library/collections/<rating_key>/items")
def add_collection_items(rating_key):
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None or found[0] != "collection":
        return html_error(404)
    try:
        library.add_to_collection(found[1], _uri_indexes(library, request.args.get("uri", "")))
    except ValueError:
        return html_error(400)
    library.changed()
    return _collection_answer(library, found[1])


@bp.put("/library/collections/<rating_key>/items/<item_key>/move")
def move_collection_item(rating_key, item_key):
    library, number = _collection_of(rating_key)
    if library is None:
        return html_error(404)
    member = library.collectable(item_key)
    after = request.args.get("after")
    after_member = library.collectable(after) if after else None
    if member is None or (after and after_member is None):
        return html_error(400)
    try:
        library.move_in_collection(number, member, after_member)
    except ValueError:
        return html_error(400)
    library.changed()
    return _collection_answer(library, number)


@bp.delete("/library/collections/<rating_key>/children/<item_key>")
@bp.delete("/library/collections/<rating_key>/items/<item_key>")
def remove_collection_item(rating_key, item_key):
    library, number = _collection_of(rating_key)
    if library is None:
        return html_error(404)
    member = library.collectable(item_key)
    try:
        if member is None:
            raise ValueError(item_key)
        library.remove_from_collection(number, member)
    except ValueError:
        return html_error(400)
    library.changed()
    return _collection_answer(library, number)


@bp.put("/library/collections/<rating_key>/prefs")
def collection_prefs(rating_key):
    library, number = _collection_of(rating_key)
    if library is None:
        return html_error(404)
    sort = request.args.get("collectionSort")
    if sort is not None:
        try:
            # Generated collections keep the order they were made in.
            getattr(library, "set_collection_sort", lambda *_: None)(number, int(sort))
        except ValueError:
            return html_error(400)
    return Response(b"", 200)
