"""Plex library actions for downloads: the target library, path-scoped scans, episodes, collections.

plexapi for single reads and actions, as DESIGN.md says; every failure is a PlexServerError
written for people (app.integrations.plex_server). Collections are changed through plexapi's
query() with rating keys, since its Collection methods want an object fetched for every item.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.etree.ElementTree import ParseError

import requests
from plexapi.exceptions import NotFound, PlexApiException, Unauthorized
from plexapi.server import PlexServer

from app.integrations.plex_server import PlexServerError

log = logging.getLogger(__name__)

TIMEOUT = 15  # seconds for one answer from Plex
PERSONAL_AGENTS = frozenset({"com.plexapp.agents.none", "tv.plex.agents.none"})
HINT = "Create a TV Shows library with the Personal Media Shows agent, or choose one."
AGENT_NAMES = {
    "tv.plex.agents.series": "Plex TV Series",
    "com.plexapp.agents.thetvdb": "TheTVDB",
    "com.plexapp.agents.themoviedb": "The Movie Database",
    "com.plexapp.agents.hama": "HAMA",
}
KIND_NAMES = {"movie": "a Movies", "artist": "a Music", "photo": "a Photos"}
VIDEO_ID = re.compile(r"\[([^\[\]/]+)\]\.[^./]+$")
YEAR_SUFFIX = re.compile(r"\s*\(\d{4}\)$")  # Plex reads "Name (2020)" as the show Name of 2020
EPISODE_TYPE = 4
SORT_CUSTOM = 2
KEYS_PER_CALL = 100  # rating keys in one server:// URI, so the address stays short
PAGE = 500


@dataclass(frozen=True)
class SectionCheck:
    key: str
    title: str
    ok: bool  # a show library using the Personal Media agent
    hint: str | None  # what to change when not ok, in plain words


@contextmanager
def _plain(base_url: str) -> Iterator[None]:
    """Turn whatever plexapi or requests raise into a PlexServerError in plain words."""
    try:
        yield
    except PlexServerError:
        raise
    except Unauthorized:
        raise PlexServerError("The Plex server did not accept the token.") from None
    except NotFound as exc:
        log.info("Plex at %s: not found: %s", base_url, exc)
        raise PlexServerError("The Plex server no longer has what MediaNest asked for.") from None
    except (requests.RequestException, PlexApiException, ParseError, ValueError) as exc:
        log.warning("Plex server at %s failed: %s", base_url, exc)
        raise PlexServerError(f"MediaNest could not reach the Plex server at {base_url}.") from None


def _server(base_url: str, token: str) -> PlexServer:
    return PlexServer(base_url, token, timeout=TIMEOUT)


def _check(section) -> SectionCheck:
    key, title = str(section.key), section.title
    if section.type != "show":
        kind = KIND_NAMES.get(section.type, f"a {section.type}")
        return SectionCheck(key, title, False, f"“{title}” is {kind} library. {HINT}")
    if section.agent not in PERSONAL_AGENTS:
        agent = AGENT_NAMES.get(section.agent, section.agent)
        hint = f"“{title}” uses the {agent} agent, not Personal Media Shows. {HINT}"
        return SectionCheck(key, title, False, hint)
    return SectionCheck(key, title, True, None)


def find_section(base_url: str, token: str, ref: str) -> SectionCheck:
    """The library named by title or key, checked to be a Personal Media Shows library."""
    ref = (ref or "").strip()
    with _plain(base_url):
        sections = _server(base_url, token).library.sections()
    found = next((s for s in sections if str(s.key) == ref), None) or next(
        (s for s in sections if s.title.casefold() == ref.casefold()), None
    )
    if found is None:
        names = ", ".join(f"“{s.title}”" for s in sections) or "none"
        raise PlexServerError(f"Plex has no library called “{ref}” (its libraries: {names}).")
    return _check(found)


def connected_section(base_url: str, token: str, ref: str, what: str, where: str):
    """(base, token, section) for the library named ref, or a PlexServerError in words.

    what: "downloads", "home videos"; where: the settings page an admin chooses it on."""
    if not (base_url and token):
        raise PlexServerError(
            "MediaNest is not connected to a Plex server. An admin can connect one in Settings."
        )
    if not ref:
        raise PlexServerError(
            f"No Plex library is chosen for {what}. An admin can choose one in the {where}."
        )
    section = find_section(base_url, token, ref)
    if not section.ok:
        raise PlexServerError(section.hint)
    return base_url, token, section


def show_sections(base_url: str, token: str) -> list[SectionCheck]:
    """Every show library, each checked, for the admin's choice."""
    with _plain(base_url):
        sections = _server(base_url, token).library.sections()
    return [_check(s) for s in sections if s.type == "show"]


def _section(server: PlexServer, section_key: str):
    try:
        return server.library.sectionByID(int(section_key))
    except (NotFound, ValueError):
        raise PlexServerError(
            f"Plex has no library with the key {section_key} any more. "
            "Choose the library again in the Downloads settings."
        ) from None


def scan_folder(base_url: str, token: str, section_key: str, plex_folder: str) -> None:
    """Ask Plex to scan just this folder (as Plex sees it)."""
    with _plain(base_url):
        _section(_server(base_url, token), section_key).update(path=plex_folder)


def video_id_of(path: str) -> str | None:
    """The video id in the "[id]" at the end of a file name."""
    match = VIDEO_ID.search(path)
    return match.group(1) if match else None


def episodes_in(
    base_url: str, token: str, section_key: str, plex_folder: str
) -> tuple[str | None, dict[str, str]]:
    """(the show's rating key, {video id: episode rating key}) for files under the folder;
    a video id is read from the "[id]" at the end of its file name."""
    folder = plex_folder.rstrip("/")
    name = YEAR_SUFFIX.sub("", folder.rpartition("/")[2]) or folder
    with _plain(base_url):
        section = _section(_server(base_url, token), section_key)
        for show in section.search(title=name, libtype="show"):
            found = {}
            for episode in show.episodes():
                for part in (p for media in episode.media for p in media.parts):
                    video_id = video_id_of(part.file or "")
                    if video_id and (part.file or "").startswith(folder + "/"):
                        found[video_id] = str(episode.ratingKey)
            if found:
                return str(show.ratingKey), found
    return None, {}


def _query(server: PlexServer, path: str, method: str = "get", **params):
    if params:
        path += ("&" if "?" in path else "?") + urlencode(params)
    return server.query(path, method=getattr(server._session, method))


def _uri(server: PlexServer, keys: list[str]) -> str:
    return (
        f"server://{server.machineIdentifier}/com.plexapp.plugins.library"
        f"/library/metadata/{','.join(keys)}"
    )


def _collection_key(
    server: PlexServer, section_key: str, title: str, keys: list[str], existing: str | None
) -> str | None:
    """The collection to sync: the stored one if Plex still has it, else one of this title
    holding only these episodes (made by a try whose answer was lost)."""
    if existing:
        try:
            _query(server, f"/library/collections/{existing}")
            return existing
        except NotFound:
            log.info("Collection %s is gone from Plex; looking for %r", existing, title)
    listing = _query(server, f"/library/sections/{section_key}/collections")
    for element in listing:
        if element.get("title") != title or element.get("subtype") != "episode":
            continue
        # Another playlist of the same name keeps its own collection.
        if set(_members(server, element.get("ratingKey"))) <= set(keys):
            return element.get("ratingKey")
    return None


def _members(server: PlexServer, rating_key: str) -> list[str]:
    keys, start = [], 0
    while True:
        page = _query(
            server,
            f"/library/collections/{rating_key}/children",
            **{"X-Plex-Container-Start": start, "X-Plex-Container-Size": PAGE},
        )
        keys += [element.get("ratingKey") for element in page]
        total = int(page.get("totalSize") or len(keys))
        start += PAGE
        if len(page) == 0 or start >= total:
            return keys


def _chunks(keys: list[str]) -> list[list[str]]:
    return [keys[n : n + KEYS_PER_CALL] for n in range(0, len(keys), KEYS_PER_CALL)]


def _create(server: PlexServer, section_key: str, title: str, keys: list[str]) -> str:
    first, *rest = _chunks(keys)
    made = _query(
        server,
        "/library/collections",
        "post",
        type=EPISODE_TYPE,
        title=title,
        smart=0,
        sectionId=section_key,
        uri=_uri(server, first),
    )
    rating_key = made[0].get("ratingKey")
    for chunk in rest:
        _query(server, f"/library/collections/{rating_key}/items", "put", uri=_uri(server, chunk))
    return rating_key


def _reorder(server: PlexServer, rating_key: str, current: list[str], keys: list[str]) -> None:
    """Move items until the collection's custom order is `keys`, one move per misplaced item."""
    for position, key in enumerate(keys):
        if current[position] == key:
            continue
        params = {"after": keys[position - 1]} if position else {}
        _query(server, f"/library/collections/{rating_key}/items/{key}/move", "put", **params)
        current.remove(key)
        current.insert(position, key)


def sync_collection(
    base_url: str, token: str, section_key: str, title: str, keys: list[str], existing: str | None
) -> str:
    """Make the collection `title` hold exactly these episodes in this order; return its key."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise PlexServerError("There are no episodes in Plex yet to put in the collection.")
    with _plain(base_url):
        server = _server(base_url, token)
        rating_key = _collection_key(server, section_key, title, keys, existing)
        if rating_key is None:
            rating_key = _create(server, section_key, title, keys)
        # Plex lists a new collection by release date; moves only hold in the custom order.
        path = f"/library/collections/{rating_key}"
        _query(server, f"{path}/prefs", "put", collectionSort=SORT_CUSTOM)
        current = _members(server, rating_key)
        for chunk in _chunks([k for k in keys if k not in current]):
            _query(server, f"{path}/items", "put", uri=_uri(server, chunk))
        for extra in (k for k in current if k not in keys):
            # The path plexapi uses; Plex also answers DELETE .../children/{key}.
            _query(server, f"{path}/items/{extra}", "delete")
        current = _members(server, rating_key)
        if sorted(current) != sorted(keys):
            raise PlexServerError(
                f"Plex did not put every video in the collection “{title}”; "
                "some episodes may have just been removed from Plex."
            )
        _reorder(server, rating_key, current, keys)
    return rating_key
