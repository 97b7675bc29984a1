"""The Plex Media Server: who it is, which of its addresses answer from here, who is watching."""

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import requests
from plexapi.exceptions import PlexApiException, Unauthorized
from plexapi.server import PlexServer

from app.integrations.plextv import Connection, PlexServerResource

log = logging.getLogger(__name__)

PROBE_SECONDS = 3


class PlexServerError(Exception):
    """The server did not answer usefully; the message is written for people."""

    reason = "error"


class PlexTimedOut(PlexServerError):
    reason = "timeout"


class PlexUnreachable(PlexServerError):
    reason = "refused"


class PlexBadAnswer(PlexServerError):
    """A 5xx, an HTML page, or JSON that is not Plex's."""

    reason = "bad_answer"


class PlexBadToken(PlexServerError):
    reason = "bad_key"


@dataclass(frozen=True)
class ServerIdentity:
    machine_id: str
    name: str
    version: str


def read_identity(base_url: str, token: str, timeout: float = 5) -> ServerIdentity:
    """Ask the server who it is, with the owner's token."""
    try:
        server = PlexServer(base_url, token, timeout=timeout)
    except Unauthorized:
        raise PlexServerError("The Plex server did not accept the token.") from None
    except (requests.RequestException, PlexApiException, ParseError, ValueError) as exc:
        log.warning("Plex server at %s unreachable: %s", base_url, exc)
        raise PlexServerError(f"MediaNest could not reach the Plex server at {base_url}.") from None
    if not server.machineIdentifier:
        raise PlexServerError(f"The address {base_url} did not answer like a Plex server.")
    return ServerIdentity(server.machineIdentifier, server.friendlyName or "", server.version or "")


def machine_id_at(base_url: str, timeout: float = PROBE_SECONDS) -> str | None:
    """The machine id a Plex server at this address announces at /identity, which needs no token."""
    try:
        response = requests.get(
            base_url.rstrip("/") + "/identity",
            headers={"Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,
        )
        found = response.json()["MediaContainer"]["machineIdentifier"]
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


def answers_as(connection: Connection, machine_id: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether this address reaches the server with this machine id."""
    return machine_id_at(connection.uri, timeout) == machine_id


def ranked_connections(server: PlexServerResource) -> list[tuple[Connection, bool]]:
    """Every address with whether it works: working first, then local, direct, relayed."""
    if not server.connections:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(server.connections))) as pool:
        results = list(pool.map(lambda c: answers_as(c, server.machine_id), server.connections))
    pairs = list(zip(server.connections, results, strict=True))
    return sorted(pairs, key=lambda pair: (not pair[1], not pair[0].local, pair[0].relay))


MAX_BYTES = 2 * 1024 * 1024
MAX_SESSIONS = 100


def _get_json(base_url: str, path: str, token: str, timeout: float):
    """GET a Plex JSON answer, bounded; raise the PlexServerError that says why not."""
    try:
        with requests.get(
            base_url.rstrip("/") + path,
            headers={"Accept": "application/json", "X-Plex-Token": token},
            timeout=(min(3.05, timeout), timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            status = response.status_code
            if status in (401, 403):
                raise PlexBadToken(
                    "Plex refused the owner's token: connect Plex again under Admin → Plex server."
                )
            if status != 200:
                raise PlexBadAnswer(f"Plex answered HTTP {status}.")
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.Timeout:
        raise PlexTimedOut(f"Plex did not answer within {timeout:g} s.") from None
    except requests.RequestException:
        raise PlexUnreachable(f"Plex could not be reached at {base_url}: is it running?") from None
    if len(body) > MAX_BYTES:
        raise PlexBadAnswer("Plex's answer was too big to read.")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise PlexBadAnswer(
            "The Plex address answered with something that is not Plex (a web page or broken JSON)."
        ) from None
    container = data.get("MediaContainer") if isinstance(data, dict) else None
    if not isinstance(container, dict):
        raise PlexBadAnswer("The Plex address answered JSON that is not Plex's.")
    return container


def read_status(base_url: str, token: str, timeout: float = 5) -> ServerIdentity:
    """Who the server is and its version, from its root, with reasons when it cannot say."""
    root = _get_json(base_url, "/", token, timeout)
    machine_id = root.get("machineIdentifier")
    if not isinstance(machine_id, str) or not machine_id:
        raise PlexBadAnswer(f"The address {base_url} did not answer like a Plex server.")
    name, version = root.get("friendlyName"), root.get("version")
    return ServerIdentity(
        machine_id[:100],
        name[:200] if isinstance(name, str) else "",
        version[:64] if isinstance(version, str) else "",
    )


def _one(value) -> dict:
    """Plex JSON gives User, Player, Session as objects; some builds give lists of one."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _words(value, length: int = 200) -> str:
    return value.strip()[:length] if isinstance(value, str) else ""


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        return int(value)
    return value if isinstance(value, int) and 0 <= value < 10**15 else None


def _stream(item: dict) -> dict:
    kind, title = item.get("type"), _words(item.get("title"))
    season, episode = _int(item.get("parentIndex")), _int(item.get("index"))
    if kind == "episode":
        shown, subtitle = _words(item.get("grandparentTitle")) or title, title
        if season is not None and episode is not None:
            subtitle = f"S{season}E{episode} · {title}" if title else f"S{season}E{episode}"
    elif kind == "track":
        shown = title
        subtitle = " · ".join(
            filter(None, (_words(item.get("grandparentTitle")), _words(item.get("parentTitle"))))
        )
    else:
        year = _int(item.get("year"))
        shown, subtitle = title, str(year) if year else ""
    offset, duration = _int(item.get("viewOffset")), _int(item.get("duration"))
    progress = None
    if offset is not None and duration:
        progress = round(min(offset / duration, 1.0), 3)
    player = _one(item.get("Player"))
    transcoding = bool(item.get("TranscodeSession"))
    return {
        "user": _words(_one(item.get("User")).get("title")) or "Someone",
        "title": shown or "Something",
        "subtitle": subtitle,
        "player": _words(player.get("title")) or _words(player.get("product")),
        "state": _words(player.get("state"), 16) or "playing",
        "progress": progress,
        "quality": "Transcode" if transcoding else "Direct play",
    }


def parse_sessions(container) -> list[dict]:
    """The active streams in a /status/sessions MediaContainer; PlexBadAnswer if not its shape."""
    if not isinstance(container, dict):
        raise PlexBadAnswer("Plex's sessions answer is not a MediaContainer.")
    items = container.get("Metadata", [])
    if not isinstance(items, list):
        raise PlexBadAnswer("Plex's sessions answer has no list of sessions.")
    return [_stream(item) for item in items[:MAX_SESSIONS] if isinstance(item, dict)]


def read_sessions(base_url: str, token: str, timeout: float = 5) -> list[dict]:
    """Who is watching what now (GET /status/sessions, the owner's token)."""
    return parse_sessions(_get_json(base_url, "/status/sessions", token, timeout))
