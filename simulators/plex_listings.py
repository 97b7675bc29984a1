"""What the library views of the loopback Plex Media Server share.

Which library a request is about, the page it asks for, the attributes PMS puts on a section's
listings (and the Meta element ``includeMeta=1`` adds), and the library switches of
``PlexServerState``: ``paged`` answers 500 for the failing page, ``library_response`` breaks
a page the way ``malformed`` says.
"""

from flask import Response, request

from simulators.faults import html_error
from simulators.plex_container import JSON_TYPE, XML_TYPE, identity, wants_json
from simulators.plex_layout import (
    LEVELS,
    LIBRARY_IDENTIFIER,
    MEDIA_TAG_PREFIX,
    MEDIA_TAG_VERSION,
    RK_LIBRARY,
    TYPE_NUMBERS,
)
from simulators.plex_library import Library
from simulators.plex_render import render_json, render_xml
from simulators.plex_server_state import PlexServerState

MALFORMED_MODES = {
    "truncate",
    "bad_attrs",
    "huge_titles",
    "html_titles",
    "bad_utf8",
    "duplicate_keys",
}
# A character that stands, until the body is encoded, for bytes that are not UTF-8.
_BAD_UTF8_MARK = "\ue000"


def library_state() -> PlexServerState | None:
    """Return the state that holds the served libraries (the server's own, or its ``library``)."""
    server = identity()
    if isinstance(server, PlexServerState):
        return server
    return getattr(server, "library", None)


def find_library(key) -> Library | None:
    """Return the served library with this section key."""
    state = library_state()
    return state.libraries.get(str(key)) if state is not None else None


def library_of(rating_key) -> Library | None:
    """Return the library a rating key belongs to."""
    try:
        number = int(rating_key) // RK_LIBRARY
    except (TypeError, ValueError):
        return None
    return find_library(number)


def paging() -> tuple[int | None, int | None]:
    """Return X-Plex-Container-Start and -Size from the headers or (PMS allows it) the query."""

    def number(name: str) -> int | None:
        raw = request.headers.get(name) or request.args.get(name)
        try:
            return max(0, int(raw)) if raw not in (None, "") else None
        except ValueError:
            return None

    return number("X-Plex-Container-Start"), number("X-Plex-Container-Size")


def _misbehave(nodes: list, mode: str | None) -> None:
    """Break a page's items the way ``mode`` says, in place."""
    if mode in (None, "truncate"):
        return
    for position, (_tag, attrs, _children) in enumerate(nodes):
        title = attrs.get("title", "")
        if mode == "bad_attrs" and position % 5 == 2:
            attrs.update(
                year="unknown",
                addedAt="",
                updatedAt="yesterday",
                duration="-1",
                rating="NaN",
                originallyAvailableAt="0000-00-00",
            )
        elif mode == "bad_attrs" and position % 11 == 4:
            attrs.pop("title", None)
        elif mode == "huge_titles" and position % 10 == 0:
            attrs["title"] = " ".join([title] * (20_000 // (len(title) + 1) + 1))[:20_000]
        elif mode == "html_titles" and position % 4 == 0:
            attrs["title"] = f'<script>alert("{title}")</script>'
            attrs["summary"] = '<img src=x onerror="alert(1)"><b>bold</b> &amp; more'
        elif mode == "html_titles" and position % 4 == 2:
            attrs["title"] = f"<b>{title}</b> <img src=x onerror=alert(1)>"
        elif mode == "bad_utf8" and position % 7 == 3:
            attrs["title"] = title + _BAD_UTF8_MARK
        elif (
            mode == "duplicate_keys"
            and position
            and (position % 10 == 9 or position == len(nodes) - 1)
        ):
            previous = nodes[position - 1][1]
            attrs["ratingKey"] = previous["ratingKey"]
            attrs["key"] = previous["key"]


def library_response(
    attrs: dict, nodes: list, *, list_key: str = "Metadata", mode=None, headers=None, meta=None
) -> Response:
    """Answer a library MediaContainer as XML or JSON, misbehaving as ``mode`` says."""
    _misbehave(nodes, mode)
    if wants_json():
        body, content_type = render_json(attrs, nodes, list_key, meta), JSON_TYPE
    else:
        body, content_type = render_xml(attrs, [meta, *nodes] if meta else nodes), XML_TYPE
    data = body.encode("utf-8")
    if mode == "bad_utf8":
        data = data.replace(_BAD_UTF8_MARK.encode("utf-8"), b"\xff\xfe")
    elif mode == "truncate":
        data = data[: max(1, len(data) * 2 // 3)]
    return Response(data, 200, content_type=content_type, headers=headers or {})


def metadata_head(library: Library) -> dict:
    """Return the MediaContainer attributes of a metadata answer from ``library``."""
    return {
        "allowSync": True,
        "identifier": LIBRARY_IDENTIFIER,
        "librarySectionID": library.number,
        "librarySectionTitle": library.title,
        "librarySectionUUID": library.uuid,
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
    }


def section_art(library: Library) -> tuple[str, str]:
    return f"/:/resources/{library.type}-fanart.jpg", f"/:/resources/{library.type}.png"


def section_attrs(library: Library) -> dict:
    """Return the MediaContainer attributes PMS puts on a section's listings."""
    art, thumb = section_art(library)
    return {
        "allowSync": True,
        "art": art,
        "content": "secondary",
        "identifier": LIBRARY_IDENTIFIER,
        "librarySectionID": library.number,
        "librarySectionTitle": library.title,
        "librarySectionUUID": library.uuid,
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
        "nocache": True if library.type != "movie" else None,
        "thumb": thumb,
        "title1": library.title,
    }


# What includeMeta=1 describes of each type, after the real server's sample.
META_SORTS = (
    ("titleSort", "Title", "asc"),
    ("originallyAvailableAt", "Release Date", "desc"),
    ("rating", "Critic Rating", "desc"),
    ("audienceRating", "Audience Rating", "desc"),
    ("duration", "Duration", "desc"),
    ("addedAt", "Date Added", "desc"),
    ("lastViewedAt", "Date Viewed", "desc"),
    ("random", "Randomly", "desc"),
)
META_FILTERS = (
    ("genre", "string", "Genre"),
    ("year", "integer", "Year"),
    ("decade", "integer", "Decade"),
    ("contentRating", "string", "Content Rating"),
    ("collection", "string", "Collection"),
    ("director", "string", "Director"),
    ("actor", "string", "Actor"),
    ("country", "string", "Country"),
    ("studio", "string", "Studio"),
    ("resolution", "string", "Resolution"),
    ("unwatched", "boolean", "Unwatched"),
)
META_FIELDS = (
    ("title", "Title", "string"),
    ("studio", "Studio", "string"),
    ("contentRating", "Content Rating", "tag"),
    ("year", "Year", "integer"),
    ("originallyAvailableAt", "Release Date", "date"),
    ("duration", "Duration", "integer"),
    ("genre", "Genre", "tag"),
    ("collection", "Collection", "tag"),
    ("director", "Director", "tag"),
    ("actor", "Actor", "tag"),
    ("country", "Country", "tag"),
    ("addedAt", "Date Added", "date"),
    ("unwatched", "Unwatched", "boolean"),
    ("resolution", "Resolution", "resolution"),
)
META_OPERATORS = {
    "tag": (("=", "is"), ("!=", "is not")),
    "integer": (("=", "is"), ("!=", "is not"), (">>=", "is greater than"), ("<<=", "is less than")),
    "string": (
        ("=", "contains"),
        ("!=", "does not contain"),
        ("==", "is"),
        ("!==", "is not"),
        ("<=", "begins with"),
        (">=", "ends with"),
    ),
    "boolean": (("=", "is true"), ("!=", "is false")),
    "date": (("<<=", "is before"), (">>=", "is after")),
    "resolution": (("=", "is"),),
}


def _meta_type(library: Library, position: int, kind: str) -> tuple:
    base = f"/library/sections/{library.key}"
    children = [
        ("Filter", {"filter": f, "filterType": t, "key": f"{base}/{f}", "title": title}, ())
        for f, t, title in META_FILTERS
    ]
    for child in children:
        child[1]["type"] = "filter"
    for key, title, direction in META_SORTS:
        attrs = {"defaultDirection": direction, "descKey": f"{key}:desc", "key": key}
        if key == "titleSort":
            attrs = {"active": True, "activeDirection": "asc", "default": "asc", **attrs}
            attrs["firstCharacterKey"] = f"{base}/firstCharacter"
        attrs["title"] = title
        children.append(("Sort", attrs, ()))
    children += [("Field", {"key": k, "title": t, "type": ty}, ()) for k, t, ty in META_FIELDS]
    attrs = {
        "key": f"{base}/all?type={TYPE_NUMBERS[kind]}",
        "type": kind,
        "title": library.title if position == 0 else kind.capitalize() + "s",
        "active": position == 0,
    }
    return ("Type", attrs, children)


def section_meta(library: Library) -> tuple:
    """Return the Meta element includeMeta=1 adds: types with their filters, sorts and fields."""
    types = [_meta_type(library, n, kind) for n, kind in enumerate(LEVELS[library.type])]
    folder = {
        "key": f"/library/sections/{library.key}/folder",
        "type": "folder",
        "title": "Folders",
        "active": False,
    }
    types.append(("Type", folder, ()))
    for kind, operators in META_OPERATORS.items():
        ops = [("Operator", {"key": key, "title": title}, ()) for key, title in operators]
        types.append(("FieldType", {"type": kind}, ops))
    return ("Meta", {}, types)


def paged(
    entries: list, make_node, head: dict, *, mode=None, fails=None, total=None, meta=None
) -> Response:
    """Answer one page of ``entries`` (all of them when no size is asked for)."""
    total = len(entries) if total is None else total
    start, size = paging()
    begin = start or 0
    end = len(entries) if size is None else min(len(entries), begin + size)
    if fails is not None and fails(begin // size + 1 if size else 1):
        return html_error(500)
    nodes = [make_node(entry) for entry in entries[begin:end]]
    attrs = {"size": len(nodes)}
    headers = {}
    if start is not None or size is not None:
        attrs.update(totalSize=total, offset=begin)
        headers = {
            "X-Plex-Container-Start": str(begin),
            "X-Plex-Container-Total-Size": str(total),
        }
    attrs.update(head)
    return library_response(attrs, nodes, mode=mode, headers=headers, meta=meta)
