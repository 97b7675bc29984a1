"""The Plex Media Server: who it is, and which of its addresses answer from here."""

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
