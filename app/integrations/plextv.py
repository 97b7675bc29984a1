"""plex.tv: PIN sign-in, the account, its servers, and who the owner shares with."""

import logging
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import requests
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

log = logging.getLogger(__name__)

PRODUCT = "MediaNest"
VERSION = "0.1.0"
TIMEOUT = (3.05, 10)  # connect, read


class PlexTvError(Exception):
    """plex.tv did not give a usable answer; the message is written for people."""


class PinNotFound(PlexTvError):
    """The PIN expired or was never ours."""


class TokenRejected(PlexTvError):
    """plex.tv no longer accepts this token."""


@dataclass(frozen=True)
class Pin:
    id: int
    code: str


@dataclass(frozen=True)
class PlexAccount:
    id: int
    uuid: str
    username: str
    email: str | None = None
    thumb: str | None = None


@dataclass(frozen=True)
class SharedUser:
    id: int
    username: str
    email: str | None
    thumb: str | None
    managed: bool
    server_ids: frozenset[str]


@dataclass(frozen=True)
class Connection:
    uri: str
    local: bool = False
    relay: bool = False


@dataclass(frozen=True)
class PlexServerResource:
    name: str
    machine_id: str
    version: str
    owned: bool
    access_token: str
    connections: tuple[Connection, ...] = field(default_factory=tuple)


class PlexTv:
    def __init__(self, base_url: str, client_id: str, timeout=TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.timeout = timeout
        self.session = requests.Session()

    def _headers(self, token: str | None, accept: str) -> dict:
        headers = {
            "X-Plex-Client-Identifier": self.client_id,
            "X-Plex-Product": PRODUCT,
            "X-Plex-Version": VERSION,
            "X-Plex-Device-Name": PRODUCT,
            "Accept": accept,
        }
        if token:
            headers["X-Plex-Token"] = token
        return headers

    def _call(self, method: str, path: str, *, token=None, params=None, accept="application/json"):
        url = self.base_url + path
        try:
            response = self.session.request(
                method,
                url,
                headers=self._headers(token, accept),
                params=params,
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise PlexTvError(
                "plex.tv is taking too long to answer. Try again in a moment."
            ) from None
        except requests.RequestException as exc:
            log.warning("plex.tv unreachable: %s", exc)
            raise PlexTvError("MediaNest could not reach plex.tv. Try again in a moment.") from None
        if response.status_code == 429:
            raise PlexTvError(
                "plex.tv is receiving too many requests. Wait a minute and try again."
            )
        if response.status_code >= 500:
            log.warning("plex.tv answered %s for %s", response.status_code, path)
            raise PlexTvError("plex.tv is having trouble right now. Try again in a few minutes.")
        return response

    def _json(self, response):
        try:
            return response.json()
        except ValueError:
            log.warning("plex.tv sent unreadable JSON (%s bytes)", len(response.content))
            raise PlexTvError("plex.tv answered with something MediaNest could not read.") from None

    def create_pin(self) -> Pin:
        response = self._call("POST", "/api/v2/pins", params={"strong": "true"})
        if response.status_code not in (200, 201):
            raise PlexTvError(f"plex.tv refused to start a sign-in (HTTP {response.status_code}).")
        data = self._json(response)
        try:
            return Pin(id=int(data["id"]), code=str(data["code"]))
        except (KeyError, TypeError, ValueError):
            raise PlexTvError("plex.tv answered with something MediaNest could not read.") from None

    def pin_token(self, pin_id: int) -> str | None:
        """The token once the person approved the PIN on plex.tv; None while they have not."""
        response = self._call("GET", f"/api/v2/pins/{int(pin_id)}")
        if response.status_code == 404:
            raise PinNotFound("This Plex sign-in has expired. Please start again.")
        if response.status_code != 200:
            raise PlexTvError(
                f"plex.tv could not confirm the sign-in (HTTP {response.status_code})."
            )
        data = self._json(response)
        token = data.get("authToken") if isinstance(data, dict) else None
        return token if isinstance(token, str) and token else None

    def auth_url(self, app_url: str, code: str, forward_url: str) -> str:
        """Where the browser signs in to Plex; it comes back to forward_url."""
        params = {
            "clientID": self.client_id,
            "code": code,
            "forwardUrl": forward_url,
            "context[device][product]": PRODUCT,
        }
        return f"{app_url.rstrip('/')}/auth#?" + urlencode(params, quote_via=quote)

    def account(self, token: str) -> PlexAccount:
        response = self._call("GET", "/api/v2/user", token=token)
        if response.status_code in (401, 403):
            raise TokenRejected("Plex did not accept this sign-in. Please sign in again.")
        if response.status_code != 200:
            raise PlexTvError(f"plex.tv could not say who you are (HTTP {response.status_code}).")
        data = self._json(response)
        try:
            return PlexAccount(
                id=int(data["id"]),
                uuid=str(data.get("uuid") or ""),
                username=str(data.get("username") or data.get("title") or data["id"]),
                email=data.get("email") or None,
                thumb=data.get("thumb") or None,
            )
        except (KeyError, TypeError, ValueError):
            raise PlexTvError("plex.tv answered with something MediaNest could not read.") from None

    def servers(self, token: str) -> list[PlexServerResource]:
        """The Plex Media Servers this account owns or has been given."""
        response = self._call(
            "GET",
            "/api/v2/resources",
            token=token,
            params={"includeHttps": "1", "includeRelay": "1"},
        )
        if response.status_code in (401, 403):
            raise TokenRejected("Plex did not accept this sign-in. Please sign in again.")
        if response.status_code != 200:
            raise PlexTvError(f"plex.tv could not list servers (HTTP {response.status_code}).")
        data = self._json(response)
        if not isinstance(data, list):
            raise PlexTvError("plex.tv answered with something MediaNest could not read.")
        return [server for item in data if (server := _server_from(item))]

    def shared_users(self, owner_token: str) -> list[SharedUser]:
        """The accounts the owner shares servers with, each with those servers' machine ids."""
        response = self._call("GET", "/api/users", token=owner_token, accept="application/xml")
        if response.status_code in (401, 403):
            raise TokenRejected("plex.tv no longer accepts the owner's Plex sign-in.")
        if response.status_code != 200:
            raise PlexTvError(f"plex.tv could not list shared users (HTTP {response.status_code}).")
        try:
            root = ElementTree.fromstring(response.content)
        except (ElementTree.ParseError, DefusedXmlException):
            raise PlexTvError("plex.tv answered with something MediaNest could not read.") from None
        return [user for node in root.iter("User") if (user := _shared_user_from(node))]

    def shared_server_ids(self, owner_token: str) -> dict[int, frozenset[str]]:
        return {user.id: user.server_ids for user in self.shared_users(owner_token)}


def _shared_user_from(node) -> SharedUser | None:
    user_id = node.get("id", "")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 18:
        return None
    ids = frozenset(
        s.get("machineIdentifier") for s in node.iter("Server") if s.get("machineIdentifier")
    )
    return SharedUser(
        id=int(user_id),
        username=node.get("username") or node.get("title") or user_id,
        email=node.get("email") or None,
        thumb=node.get("thumb") or None,
        managed=node.get("home") == "1" and node.get("restricted") == "1",
        server_ids=ids,
    )


def _server_from(item) -> PlexServerResource | None:
    if not isinstance(item, dict) or "server" not in str(item.get("provides", "")).split(","):
        return None
    try:
        connections = tuple(
            Connection(uri=str(c["uri"]), local=bool(c.get("local")), relay=bool(c.get("relay")))
            for c in item.get("connections") or []
            if isinstance(c, dict) and c.get("uri")
        )
        return PlexServerResource(
            name=str(item.get("name") or "Plex Media Server"),
            machine_id=str(item["clientIdentifier"]),
            version=str(item.get("productVersion") or ""),
            owned=bool(item.get("owned")),
            access_token=str(item.get("accessToken") or ""),
            connections=connections,
        )
    except (KeyError, TypeError):
        return None
