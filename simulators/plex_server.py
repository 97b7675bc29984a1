"""A loopback Plex Media Server: its identity and root, behind its tokens and fault switches.

``create_app(identity)`` takes any object with ``machine_identifier``, ``name`` (the friendlyName)
and ``version``. Optional attributes: ``accepts(token)`` or a ``tokens`` collection (who may read),
``my_plex_username``, ``claimed``, ``platform``, ``platform_version`` and the fault switches
``down``, ``slow_seconds``, ``garbage``, ``status_override``. ``PlexServerState`` has them all;
``simulators.plextv.Server`` has them too, so a server registered on the simulated plex.tv can be
served directly and lets in exactly the tokens plex.tv handed out for it.

To add endpoints, add views to ``bp`` and answer with ``container(...)``: it renders the
``MediaContainer`` as XML, or as ``{"MediaContainer": {...}}`` JSON when the client asks for JSON,
the way Plex Media Server does.

``PlexServerState`` also holds libraries (``add_library``): their items are made on demand from
(library key, index), so a 100,000-item library costs nothing until a page of it is asked for.
A server without libraries of its own (``simulators.plextv.Server``) may carry a
``PlexServerState`` in its ``library`` attribute; its libraries and library switches are served.

Library endpoints: ``/library/sections``, ``/library/sections/{key}/all`` (paged by
``X-Plex-Container-Start``/``-Size`` in headers or query; ``includeGuids``, ``type``, ``sort``,
``title``), ``/library/recentlyAdded`` and ``/library/sections/{key}/recentlyAdded``,
``/library/metadata/{ratingKey}`` and ``/children``, ``/library/sections/{key}/collections``,
``/library/collections/{ratingKey}/children`` (or ``/items``), ``POST /library/collections``,
``PUT /library/collections/{ratingKey}/items``, ``/library/sections/{key}/refresh?path=``,
and images at ``/library/metadata/{ratingKey}/thumb|art/{ts}`` and ``/photo/:/transcode``.

Library switches on ``PlexServerState``: ``fail_at_page`` (the page at that position of any paged
``/all``, 1-based, answers 500 once, or every time with ``fail_always``) and ``malformed``:
"truncate" (the body stops two thirds in), "bad_attrs" (every fifth item has year "unknown",
empty addedAt, duration -1, rating NaN; some items lack a title), "huge_titles" (every tenth
title is 20,000 characters), "html_titles" (titles and summaries with markup, escaped as XML
asks), "bad_utf8" (bytes that are not UTF-8 in some titles), "duplicate_keys" (every tenth item
and the last repeat the rating key before them). They apply to item listings: ``/all``,
recently added and a collection's children. ``refreshes`` and ``page_requests`` record requests.
"""

import hashlib
import heapq
import itertools
import json
import re
import secrets
import struct
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, request

from simulators.faults import fault_response, html_error
from simulators.plex_library import (
    LEVELS,
    LIBRARY_IDENTIFIER,
    MAX_TOP_ITEMS,
    MEDIA_TAG_PREFIX,
    MEDIA_TAG_VERSION,
    RK_LIBRARY,
    SECTION_FACTS,
    TYPE_NUMBERS,
    Library,
    render_json,
    render_xml,
)

__all__ = ["Library", "Node", "PlexServerState", "bp", "container", "create_app"]

DEFAULT_VERSION = "1.41.3.9314-a0bfb8370"
XML_TYPE = "text/xml;charset=utf-8"
JSON_TYPE = "application/json"
# Paths Plex Media Server answers without a token.
PUBLIC_PATHS = {"/identity"}
ROOT_DIRECTORIES = (
    "activities",
    "butler",
    "channels",
    "clients",
    "devices",
    "diagnostics",
    "hubs",
    "library",
    "livetv",
    "media",
    "metadata",
    "music",
    "neighborhood",
    "playQueues",
    "player",
    "playlists",
    "resources",
    "search",
    "server",
    "servers",
    "statistics",
    "system",
    "transcode",
    "updater",
    "user",
)


def new_machine_identifier() -> str:
    """Return a machine identifier shaped like Plex's: 40 hex digits."""
    return secrets.token_hex(20)


@dataclass
class PlexServerState:
    """A standalone server: who it is, which tokens it accepts, and how it misbehaves."""

    machine_identifier: str = field(default_factory=new_machine_identifier)
    name: str = "Plex Media Server"
    version: str = DEFAULT_VERSION
    tokens: set[str] = field(default_factory=set)
    my_plex_username: str = ""
    claimed: bool = True
    platform: str = "Linux"
    platform_version: str = "6.1.0"
    updated_at: int = field(default_factory=lambda: int(time.time()))
    down: bool = False
    slow_seconds: float = 0.0
    garbage: bool = False
    status_override: int | None = None

    libraries: dict[str, Library] = field(default_factory=dict)
    # Library switches: a 500 for one page of /all (once, or always), and broken pages.
    fail_at_page: int | None = None
    fail_always: bool = False
    malformed: str | None = None
    # What the server saw: path-scoped scans asked for, and /all page requests.
    refreshes: list[tuple[str, str | None]] = field(default_factory=list)
    page_requests: int = 0
    _failed_pages: set = field(default_factory=set, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def accepts(self, token: str | None) -> bool:
        """Say whether this token may read the server."""
        return bool(token) and token in self.tokens

    def add_library(
        self, title: str, type: str, count: int = 0, seasons: int = 2, episodes: int = 5
    ) -> Library:
        """Add a library of ``count`` generated items: "movie", "show" or "artist"."""
        key = str(len(self.libraries) + 1)
        library = Library(
            key,
            title,
            type,
            count,
            seasons=seasons,
            episodes=episodes,
            created_at=1_429_510_140 + int(key) * 86_400,
            location_id=int(key),
        )
        self.libraries[key] = library
        if count >= 10_000:
            # Sort a big library ahead of its first page, as a real server has it indexed.
            threading.Thread(target=library.order, daemon=True).start()
        return library

    def add_items(self, library: Library, count: int) -> list[str]:
        """Add ``count`` new items, added now; return their rating keys."""
        now = int(time.time())
        start = library.total
        if start + count > MAX_TOP_ITEMS:
            raise ValueError("a library holds at most 999,900 items")
        for index in range(start, start + count):
            library.added_at[index] = now
        library.total = start + count
        library.changed()
        return [library.rating_key(index) for index in range(start, start + count)]

    def remove_items(self, library: Library, rating_keys) -> None:
        """Take items out of the library, as when their files are deleted."""
        for rating_key in rating_keys:
            found = library.locate(rating_key)
            if found is not None and found[0] == "item" and not found[2]:
                library.removed.add(found[1])
        library.changed()

    def rename(self, library: Library, rating_key, title: str) -> None:
        """Give an item a new title; its updatedAt (and thumb URL) move to now."""
        found = library.locate(rating_key)
        if found is None or found[0] != "item" or found[2]:
            raise KeyError(rating_key)
        updated = max(int(time.time()), library.updated_at_of(found[1]) + 1)
        library.renamed[found[1]] = (title, updated)
        library.changed(renamed=found[1])

    def page_fails(self, page: int) -> bool:
        """Count a page request and say whether it is the page that answers 500."""
        with self._lock:
            self.page_requests += 1
            if self.fail_at_page is None or page != self.fail_at_page:
                return False
            if self.fail_always:
                return True
            if page in self._failed_pages:
                return False
            self._failed_pages.add(page)
            return True


@dataclass
class Node:
    """One child element of a MediaContainer: a tag, its attributes and its own children."""

    tag: str
    attrs: dict
    children: list["Node"] = field(default_factory=list)


bp = Blueprint("plex_server", __name__)


def identity():
    """Return the server this app stands in for."""
    return current_app.config["PLEX_IDENTITY"]


def wants_json() -> bool:
    """Say whether the client asked for JSON (otherwise Plex answers XML)."""
    return "application/json" in request.headers.get("Accept", "")


def request_token() -> str | None:
    """Return the X-Plex-Token from the header or, as Plex also allows, the query string."""
    return request.headers.get("X-Plex-Token") or request.args.get("X-Plex-Token")


def accepts(server, token: str | None) -> bool:
    """Say whether ``server`` lets ``token`` in."""
    if not token:
        return False
    if hasattr(server, "accepts"):
        return bool(server.accepts(token))
    return token in getattr(server, "tokens", ())


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _xml_element(tag: str, attrs: dict, children) -> ET.Element:
    element = ET.Element(tag, {k: _xml_value(v) for k, v in attrs.items() if v is not None})
    for child in children:
        element.append(_xml_element(child.tag, child.attrs, child.children))
    return element


def _json_object(attrs: dict, children) -> dict:
    data = dict(attrs)
    for child in children:
        data.setdefault(child.tag, []).append(_json_object(child.attrs, child.children))
    return data


def container(attrs: dict, children=(), status: int = 200) -> Response:
    """Answer a MediaContainer as JSON or XML, whichever the client asked for."""
    children = list(children)
    if wants_json():
        body = json.dumps({"MediaContainer": _json_object(attrs, children)})
        return Response(body, status, content_type=JSON_TYPE)
    root = _xml_element("MediaContainer", attrs, children)
    ET.indent(root)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return Response(body + "\n", status, content_type=XML_TYPE)


@bp.before_app_request
def _faults_and_auth():
    server = identity()
    fault = fault_response(server, wants_json=wants_json(), error=html_error)
    if fault is not None:
        return fault
    if request.path not in PUBLIC_PATHS and not accepts(server, request_token()):
        return html_error(401)
    return None


@bp.get("/identity")
def server_identity():
    server = identity()
    return container(
        {
            "size": 0,
            "claimed": bool(getattr(server, "claimed", True)),
            "machineIdentifier": server.machine_identifier,
            "version": server.version,
        }
    )


@bp.get("/")
def root():
    server = identity()
    username = getattr(server, "my_plex_username", "") or ""
    directories = [
        Node("Directory", {"count": 1, "key": key, "title": key}) for key in ROOT_DIRECTORIES
    ]
    attrs = {
        "size": len(directories),
        "allowCameraUpload": True,
        "allowChannelAccess": True,
        "allowMediaDeletion": True,
        "allowSharing": True,
        "allowSync": True,
        "allowTuners": True,
        "backgroundProcessing": True,
        "certificate": True,
        "companionProxy": True,
        "countryCode": "usa",
        "diagnostics": "logs,databases,streaminglogs",
        "eventStream": True,
        "friendlyName": server.name,
        "hubSearch": True,
        "itemClusters": True,
        "livetv": 7,
        "machineIdentifier": server.machine_identifier,
        "mediaProviders": True,
        "multiuser": True,
        "musicAnalysis": 2,
        "myPlex": bool(username),
        "myPlexMappingState": "mapped" if username else "unknown",
        "myPlexSigninState": "ok" if username else "none",
        "myPlexSubscription": False,
        "myPlexUsername": username,
        "offlineTranscode": 1,
        "ownerFeatures": "",
        "photoAutoTag": True,
        "platform": getattr(server, "platform", "Linux"),
        "platformVersion": getattr(server, "platform_version", "6.1.0"),
        "pluginHost": True,
        "pushNotifications": False,
        "readOnlyLibraries": False,
        "streamingBrainABRVersion": 3,
        "streamingBrainVersion": 2,
        "sync": True,
        "transcoderActiveVideoSessions": 0,
        "transcoderAudio": True,
        "transcoderLyrics": True,
        "transcoderPhoto": True,
        "transcoderSubtitles": True,
        "transcoderVideo": True,
        "transcoderVideoBitrates": "64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000",
        "transcoderVideoQualities": "0,1,2,3,4,5,6,7,8,9,10,11,12",
        "transcoderVideoResolutions": "128,128,160,240,320,480,768,720,720,1080,1080,1080,1080",
        "updatedAt": int(getattr(server, "updated_at", 0) or time.time()),
        "updater": True,
        "version": server.version,
        "voiceSearch": True,
    }
    return container(attrs, directories)


# -- libraries ----------------------------------------------------------------------------------

PNG_TYPE = "image/png"
# The `type=` number of collections in a section's /all.
COLLECTION_TYPE = 18
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
_IMAGE_URL = re.compile(r"^/library/(?:metadata|collections)/(\d+)/(thumb|art|composite)(?:/\d+)?$")


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


def _section_art(library: Library) -> tuple[str, str]:
    return f"/:/resources/{library.type}-fanart.jpg", f"/:/resources/{library.type}.png"


def section_attrs(library: Library) -> dict:
    """Return the MediaContainer attributes PMS puts on a section's listings."""
    art, thumb = _section_art(library)
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


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _plain_error(error):
    return html_error(error.code)


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
        agent, scanner, _path, _title2 = SECTION_FACTS[library.type]
        art, thumb = _section_art(library)
        attrs = {
            "allowSync": True,
            "art": art,
            "composite": f"/library/sections/{library.key}/composite/{library.updated_at}",
            "filters": True,
            "refreshing": False,
            "thumb": thumb,
            "key": library.key,
            "type": library.type,
            "title": library.title,
            "agent": agent,
            "scanner": scanner,
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
        entries = [(i, s) for i in library.order() for s in range(1, library.seasons + 1)]
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


def _metadata_head(library: Library) -> dict:
    return {
        "allowSync": True,
        "identifier": LIBRARY_IDENTIFIER,
        "librarySectionID": library.number,
        "librarySectionTitle": library.title,
        "librarySectionUUID": library.uuid,
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
    }


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
    head = {"size": len(nodes), **_metadata_head(library)}
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
    if len(levels) == 1:
        entries = []
    elif not season:
        entries = [(index, s, 0) for s in range(1, library.seasons + 1)]
    else:
        entries = [(index, season, e) for e in range(1, library.episodes + 1)]
    head = _metadata_head(library)
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
    seasons = [season] if season else range(1, library.seasons + 1)
    entries = [(index, s, e) for s in seasons for e in range(1, library.episodes + 1)]
    parent = library.node(index, season)[1]
    head = _metadata_head(library)
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
    return paged(members, lambda index: library.node(index), head, mode=library_state().malformed)


def _uri_indexes(library: Library, uri: str) -> list[int]:
    """Return the top-level items of ``library`` named by a server:// URI's metadata keys."""
    _, _, keys = uri.partition("/library/metadata/")
    indexes = []
    for rating_key in keys.split(","):
        found = library.locate(rating_key.strip())
        if found is not None and found[0] == "item" and not found[2]:
            indexes.append(found[1])
    return indexes


def _collection_answer(library: Library, number: int) -> Response:
    tag, attrs, children = library.collection_node(number)
    attrs.update(
        librarySectionTitle=library.title,
        librarySectionID=library.number,
        librarySectionKey=f"/library/sections/{library.key}",
    )
    head = {"size": 1, **_metadata_head(library)}
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


@bp.route("/library/sections/<key>/refresh", methods=["GET", "POST", "PUT"])
def section_refresh(key):
    library = find_library(key)
    if library is None:
        return html_error(404)
    library_state().refreshes.append((library.key, request.args.get("path")))
    return Response(b"", 200)


def png(width: int, height: int, seed: bytes) -> bytes:
    """Return a two-colour PNG (a poster's top and bottom) made with zlib and struct alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    top, bottom = b"\x00" + seed[0:3] * width, b"\x00" + seed[3:6] * width
    split = height * 2 // 3
    raw = top * split + bottom * (height - split)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def image_response(rating_key, element: str, width=None, height=None) -> Response:
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None:
        return html_error(404)
    natural = (300, 450) if element == "thumb" else (480, 270)
    try:
        width = min(2000, max(1, int(width))) if width else natural[0]
        height = min(2000, max(1, int(height))) if height else natural[1]
    except ValueError:
        return html_error(400)
    seed = hashlib.blake2b(f"{rating_key}:{element}".encode(), digest_size=6).digest()
    response = Response(png(width, height, seed), 200, content_type=PNG_TYPE)
    response.headers["Cache-Control"] = "max-age=86400"
    return response


@bp.get("/library/metadata/<rating_key>/<any(thumb, art):element>")
@bp.get("/library/metadata/<rating_key>/<any(thumb, art):element>/<int:stamp>")
def metadata_image(rating_key, element, stamp=None):
    return image_response(rating_key, element)


@bp.get("/library/collections/<rating_key>/composite/<int:stamp>")
def collection_composite(rating_key, stamp):
    width, height = request.args.get("width"), request.args.get("height")
    return image_response(rating_key, "thumb", width, height)


@bp.get("/library/sections/<key>/composite/<int:stamp>")
def section_composite(key, stamp):
    library = find_library(key)
    if library is None:
        return html_error(404)
    seed = hashlib.blake2b(f"section:{library.uuid}".encode(), digest_size=6).digest()
    return Response(png(480, 270, seed), 200, content_type=PNG_TYPE)


@bp.get("/photo/:/transcode")
def photo_transcode():
    match = _IMAGE_URL.match(request.args.get("url", "").split("?")[0])
    if match is None:
        return html_error(404)
    width, height = request.args.get("width"), request.args.get("height")
    element = "art" if match.group(2) == "art" else "thumb"
    return image_response(match.group(1), element, width, height)


def create_app(identity) -> Flask:
    """Build the WSGI app of a Plex Media Server that answers as ``identity``."""
    app = Flask(__name__)
    app.config["PLEX_IDENTITY"] = identity
    app.register_blueprint(bp)
    return app


def main(argv=None) -> None:
    """Serve a Plex Media Server with generated libraries until interrupted (for benchmarks)."""
    import argparse
    import logging

    from simulators.server import SimulatorServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    parser = argparse.ArgumentParser(prog="python -m simulators.plex_server")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", action="append", default=[], help="a token it accepts")
    parser.add_argument("--movies", type=int, default=300)
    parser.add_argument("--shows", type=int, default=40)
    parser.add_argument("--music", type=int, default=30)
    args = parser.parse_args(argv)
    state = PlexServerState(name="Living Room", tokens=set(args.token))
    for title, kind, count in (
        ("Movies", "movie", args.movies),
        ("TV Shows", "show", args.shows),
        ("Music", "artist", args.music),
    ):
        if count:
            state.add_library(title, kind, count=count).order()
    server = SimulatorServer(create_app(state), port=args.port).start()
    # The first line out is the address, for a script that starts this as a child process.
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
