"""A loopback plex.tv and app.plex.tv: PIN sign-in, accounts, servers and who may use them.

One WSGI app serves both hosts' paths:

- plex.tv: ``POST /api/v2/pins``, ``GET /api/v2/pins/<id>``, ``GET /api/v2/user``,
  ``GET /api/v2/resources``, ``GET /api/users`` (XML only, as plex.tv answers it). The v2 paths
  answer JSON to ``Accept: application/json`` and XML otherwise.
- app.plex.tv: ``GET /auth`` (and ``/auth/``), the page a person signs in on. It reads
  ``#?clientID=..&code=..&forwardUrl=..&context[device][product]=..`` from the URL fragment,
  offers one button per account that can sign in, and sends the browser on to ``forwardUrl``.
- Simulator only: ``POST /sim/approve`` (``code`` and ``account``: an id or username), which is
  what the page calls when a person picks an account.

Fault switches on ``PlexTvState`` (``down``, ``slow_seconds``, ``garbage``, ``status_override``)
affect the plex.tv API paths only, never the sign-in page or ``/sim``. Each ``Server`` carries its
own switches for the Plex Media Server that ``simulators.plex_server`` runs from it.
"""

import html
import itertools
import json
import secrets
import string
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from simulators.faults import fault_response, html_error, phrase
from simulators.plex_server_state import DEFAULT_VERSION, new_machine_identifier

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
# plex.tv's own error codes, as its v2 API reports them.
MISSING_CLIENT_IDENTIFIER = (1000, "X-Plex-Client-Identifier is missing")
NOT_AUTHENTICATED = (1001, "User could not be authenticated")
PIN_NOT_FOUND = (1020, "Code not found or expired")
# Where the simulated requests come from: the shape plex.tv reports, with a made-up place.
LOCATION = {
    "code": "NL",
    "european_union_member": True,
    "continent_code": "EU",
    "country": "The Netherlands",
    "city": "Breda",
    "time_zone": "Europe/Amsterdam",
    "postal_code": "4814",
    "in_privacy_restricted_country": True,
    "in_privacy_restricted_region": True,
    "subdivisions": "North Brabant",
    "coordinates": "51.5869, 4.7471",
}
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


def _token() -> str:
    """Return a token shaped like Plex's: 20 URL-safe characters."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(20))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Account:
    """A plex.tv account; a managed Plex Home user has no credentials to sign in with."""

    id: int
    uuid: str
    username: str
    email: str
    thumb: str
    token: str
    home_managed: bool = False
    # The account whose Plex Home this one belongs to (managed users always belong to one).
    home_owner_id: int | None = None
    joined_at: int = 0


@dataclass
class Share:
    """One server shared with one account (pending until the friend accepts the invite)."""

    id: int
    machine_identifier: str
    account_id: int
    access_token: str
    pending: bool = False
    all_libraries: bool = True
    num_libraries: int | None = None
    invited_at: int = 0


@dataclass(eq=False)
class Server:
    """A Plex Media Server registered to an owner's account.

    ``connections`` may hold URIs or dicts with any of uri/protocol/address/port/local/relay/IPv6;
    they are completed when answered. ``down``, ``slow_seconds``, ``garbage`` and
    ``status_override`` are the switches of the server itself, not of plex.tv.
    """

    machine_identifier: str
    name: str
    version: str
    owner_id: int
    access_token: str
    connections: list = field(default_factory=list)
    id: int = 0
    created_at: int = 0
    last_seen_at: int = 0
    library_count: int = 2
    presence: bool = True
    public_address: str = "127.0.0.1"
    platform: str = "Linux"
    platform_version: str = "6.1.0"
    claimed: bool = True
    updated_at: int = 0
    down: bool = False
    slow_seconds: float = 0.0
    garbage: bool = False
    status_override: int | None = None
    state: "PlexTvState | None" = field(default=None, repr=False)
    # A simulators.plex_server.PlexServerState whose libraries this server serves.
    library: object | None = field(default=None, repr=False)

    @property
    def owner(self) -> Account | None:
        return self.state.accounts.get(self.owner_id) if self.state else None

    @property
    def my_plex_username(self) -> str:
        """Return what the server shows as its signed-in plex.tv account (the owner's email)."""
        owner = self.owner
        return owner.email if owner else ""

    def accepts(self, token: str | None) -> bool:
        """Say whether the server lets this token in: its own, its owner's, or a friend's share."""
        if not token:
            return False
        if token == self.access_token:
            return True
        owner = self.owner
        if owner is not None and token == owner.token:
            return True
        if self.state is None:
            return False
        return any(
            share.access_token == token and not share.pending
            for share in self.state.shares_of(self)
        )

    def set_connections(self, connections: list) -> None:
        """Replace the addresses plex.tv reports for this server."""
        self.connections = list(connections)


@dataclass
class Pin:
    """A sign-in PIN as plex.tv keeps it."""

    id: int
    code: str
    client_identifier: str
    product: str
    created_at: float
    expires_at: float
    auth_token: str | None = None
    account_id: int | None = None

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def normalized_connection(connection) -> dict:
    """Complete a connection given as a URI or a partial dict into plex.tv's full shape."""
    data = {"uri": connection} if isinstance(connection, str) else dict(connection)
    parts = urlsplit(data.get("uri", ""))
    protocol = data.get("protocol") or parts.scheme or "http"
    address = data.get("address") or parts.hostname or "127.0.0.1"
    port = data.get("port") or parts.port or (443 if protocol == "https" else 32400)
    uri = data.get("uri") or f"{protocol}://{address}:{port}"
    return {
        "protocol": protocol,
        "address": address,
        "port": int(port),
        "uri": uri,
        "local": bool(data.get("local", True)),
        "relay": bool(data.get("relay", False)),
        "IPv6": bool(data.get("IPv6", ":" in address)),
    }


class PlexTvState:
    """Everything the simulated plex.tv knows, plus its fault switches. Safe across threads."""

    def __init__(self) -> None:
        self.accounts: dict[int, Account] = {}
        self.servers: dict[str, Server] = {}
        self.shares: dict[tuple[str, int], Share] = {}
        self.pins: dict[int, Pin] = {}
        self.pin_lifetime_seconds: float = 900
        self.down = False
        self.slow_seconds = 0.0
        self.garbage = False
        self.status_override: int | None = None
        # plex.tv's own identifier on the myPlex containers it answers (not any server's).
        self.myplex_identifier = new_machine_identifier()
        self.lock = threading.RLock()
        self._account_ids = itertools.count(21_000_001)
        self._server_ids = itertools.count(9_000_001)
        self._share_ids = itertools.count(900_000_001)
        self._pin_ids = itertools.count(308_000_001 + secrets.randbelow(1_000_000))

    # -- set-up -------------------------------------------------------------------------------

    def add_account(
        self,
        username: str,
        email: str | None = None,
        *,
        home_managed: bool = False,
        home: Account | None = None,
        thumb: str | None = None,
    ) -> Account:
        """Create an account; ``home`` puts it in that account's Plex Home."""
        with self.lock:
            uuid = secrets.token_hex(8)
            account = Account(
                id=next(self._account_ids),
                uuid=uuid,
                username=username,
                # Managed users have no email of their own.
                email=email
                if email is not None
                else ("" if home_managed else f"{username}@example.com"),
                thumb=thumb or f"https://plex.tv/users/{uuid}/avatar?c={int(time.time())}",
                token=_token(),
                home_managed=home_managed,
                home_owner_id=home.id if home else None,
                joined_at=int(time.time()) - 400 * 86400,
            )
            self.accounts[account.id] = account
            return account

    def add_server(
        self,
        owner: Account,
        name: str,
        connections: list | None = None,
        *,
        version: str = DEFAULT_VERSION,
        machine_identifier: str | None = None,
    ) -> Server:
        """Register a server to ``owner``."""
        with self.lock:
            now = int(time.time())
            server = Server(
                machine_identifier=machine_identifier or new_machine_identifier(),
                name=name,
                version=version,
                owner_id=owner.id,
                access_token=_token(),
                connections=list(connections or []),
                id=next(self._server_ids),
                created_at=now - 200 * 86400,
                last_seen_at=now,
                updated_at=now,
                state=self,
            )
            self.servers[server.machine_identifier] = server
            return server

    def share(
        self,
        server: Server,
        account: Account,
        *,
        pending: bool = False,
        all_libraries: bool = True,
        num_libraries: int | None = None,
    ) -> Share:
        """Share ``server`` with ``account``; it gets its own token for that server."""
        with self.lock:
            key = (server.machine_identifier, account.id)
            existing = self.shares.get(key)
            share = Share(
                id=existing.id if existing else next(self._share_ids),
                machine_identifier=server.machine_identifier,
                account_id=account.id,
                access_token=existing.access_token if existing else _token(),
                pending=pending,
                all_libraries=all_libraries,
                num_libraries=num_libraries,
                invited_at=int(time.time()),
            )
            self.shares[key] = share
            return share

    def unshare(self, server: Server, account: Account) -> None:
        """Stop sharing ``server`` with ``account``; its token for the server stops working."""
        with self.lock:
            self.shares.pop((server.machine_identifier, account.id), None)

    def shares_of(self, server: Server) -> list[Share]:
        with self.lock:
            return [
                s for s in self.shares.values() if s.machine_identifier == server.machine_identifier
            ]

    # -- sign-in ------------------------------------------------------------------------------

    def create_pin(self, client_identifier: str, product: str = "", strong: bool = False) -> Pin:
        with self.lock:
            now = time.time()
            if strong:
                code = "".join(
                    secrets.choice(string.ascii_lowercase + string.digits) for _ in range(25)
                )
            else:
                code = "".join(
                    secrets.choice(string.ascii_uppercase + string.digits) for _ in range(4)
                )
            pin = Pin(
                id=next(self._pin_ids),
                code=code,
                client_identifier=client_identifier,
                product=product,
                created_at=now,
                expires_at=now + self.pin_lifetime_seconds,
            )
            self.pins[pin.id] = pin
            return pin

    def approve_pin(self, pin_id: int, account: Account) -> Pin:
        """Do what a person does on app.plex.tv: approve the PIN as ``account``.

        Raises KeyError for an unknown or expired PIN, PermissionError for a managed user.
        """
        with self.lock:
            pin = self.pins.get(pin_id)
            if pin is None or pin.expired:
                raise KeyError(pin_id)
            if account.home_managed:
                raise PermissionError(f"{account.username} is a managed user and cannot sign in")
            pin.auth_token = account.token
            pin.account_id = account.id
            return pin

    def approve_code(self, code: str, account: Account) -> Pin:
        """Approve the live PIN with this code as ``account`` (see ``approve_pin``)."""
        with self.lock:
            pin = next((p for p in self.pins.values() if p.code == code and not p.expired), None)
            if pin is None:
                raise KeyError(code)
            return self.approve_pin(pin.id, account)

    def expire_pin(self, pin_id: int) -> None:
        """Make a PIN expire now."""
        with self.lock:
            self.pins[pin_id].expires_at = time.time()

    # -- look-ups -----------------------------------------------------------------------------

    def account_by_token(self, token: str | None) -> Account | None:
        if not token:
            return None
        with self.lock:
            return next((a for a in self.accounts.values() if a.token == token), None)

    def account_by_username(self, username: str) -> Account | None:
        with self.lock:
            return next((a for a in self.accounts.values() if a.username == username), None)

    def home_members(self, account: Account) -> list[Account]:
        """Return the accounts of the Plex Home ``account`` is in, its admin first; [] if none."""
        with self.lock:
            admin_id = account.home_owner_id or account.id
            members = [a for a in self.accounts.values() if a.home_owner_id == admin_id]
            if not members:
                return []
            return [self.accounts[admin_id], *members]


# -- rendering --------------------------------------------------------------------------------


def _state() -> PlexTvState:
    return current_app.config["PLEX_TV_STATE"]


def _wants_json() -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _header(name: str) -> str | None:
    """Read an X-Plex-* value from the headers or, as plex.tv also allows, the query string."""
    return request.headers.get(name) or request.args.get(name)


def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _element(tag: str, attrs: dict, *children: ET.Element) -> ET.Element:
    element = ET.Element(tag, {k: _xml_value(v) for k, v in attrs.items()})
    element.extend(children)
    return element


def _xml_response(root: ET.Element, status: int = 200) -> Response:
    ET.indent(root)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return Response(body + "\n", status, content_type=XML_TYPE)


def _json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type=JSON_TYPE)


def _error(status: int, code: int | None, message: str, *, with_status: bool = True) -> Response:
    """Answer plex.tv's error shape: ``{"errors": [{"code", "message", "status"}]}`` or its XML."""
    item = {"code": code} if code is not None else {}
    item["message"] = message
    if with_status:
        item["status"] = status
    if _wants_json():
        return _json_response({"errors": [item]}, status)
    return _xml_response(_element("errors", {}, _element("error", item)), status)


def _forced_status(status: int) -> Response:
    if status == 503:
        # What the front of plex.tv answers when the service behind it is away.
        return html_error(503)
    return _error(status, None, phrase(status))


def _pin_data(pin: Pin) -> dict:
    return {
        "id": pin.id,
        "code": pin.code,
        "product": pin.product,
        "trusted": False,
        "qr": f"https://plex.tv/api/v2/pins/qr/{pin.code}",
        "clientIdentifier": pin.client_identifier,
        "location": dict(LOCATION),
        "expiresIn": max(0, int(pin.expires_at - time.time())),
        "createdAt": _iso(pin.created_at),
        "expiresAt": _iso(pin.expires_at),
        "authToken": pin.auth_token,
        "newRegistration": None,
    }


def _pin_response(pin: Pin, status: int) -> Response:
    data = _pin_data(pin)
    if _wants_json():
        return _json_response(data, status)
    location = data.pop("location")
    return _xml_response(_element("pin", data, _element("location", location)), status)


def _user_data(state: PlexTvState, account: Account) -> dict:
    members = state.home_members(account)
    return {
        "id": account.id,
        "uuid": account.uuid,
        "username": "" if account.home_managed else account.username,
        "title": account.username,
        "email": account.email,
        "friendlyName": account.username,
        "locale": None,
        "confirmed": not account.home_managed,
        "joinedAt": account.joined_at,
        "emailOnlyAuth": False,
        "hasPassword": not account.home_managed,
        "protected": False,
        "thumb": account.thumb,
        "authToken": account.token,
        "mailingListStatus": "unsubscribed",
        "mailingListActive": False,
        "scrobbleTypes": "",
        "country": "NL",
        "subscriptionDescription": None,
        "restricted": account.home_managed,
        "anonymous": None,
        "home": bool(members),
        "guest": False,
        "homeSize": len(members) or 1,
        "homeAdmin": bool(members) and members[0].id == account.id,
        "maxHomeSize": 15,
        "rememberExpiresAt": int(time.time()) + 14 * 86400,
        "adsConsent": None,
        "adsConsentSetAt": None,
        "adsConsentReminderAt": None,
        "experimentalFeatures": False,
        "twoFactorEnabled": False,
        "backupCodesCreated": False,
        "attributionPartner": None,
    }


_PROFILE = {
    "autoSelectAudio": True,
    "defaultAudioLanguage": None,
    "defaultSubtitleLanguage": None,
    "autoSelectSubtitle": 0,
    "defaultSubtitleAccessibility": 0,
    "defaultSubtitleForced": 0,
    "watchedIndicator": 1,
    "mediaReviewsVisibility": 0,
}


def _user_response(state: PlexTvState, account: Account) -> Response:
    data = _user_data(state, account)
    if _wants_json():
        data.update(
            entitlements=[],
            profile=dict(_PROFILE),
            roles=[],
            services=[],
            subscription={
                "active": False,
                "subscribedAt": None,
                "status": "Inactive",
                "paymentService": None,
                "plan": None,
                "features": [],
            },
            subscriptions=[],
        )
        return _json_response(data)
    subscription = {
        "active": False,
        "subscribedAt": "",
        "status": "Inactive",
        "paymentService": "",
        "plan": "",
    }
    root = _element(
        "user",
        data,
        _element("subscription", subscription, _element("features", {})),
        _element("profile", _PROFILE),
        _element("entitlements", {}),
        _element("roles", {}),
        _element("subscriptions", {}),
        _element("services", {}),
    )
    return _xml_response(root)


def _flag(name: str) -> bool:
    return request.args.get(name, "0").lower() in ("1", "true")


def _resources_for(state: PlexTvState, account: Account) -> list[dict]:
    include_https, include_relay, include_ipv6 = (
        _flag("includeHttps"),
        _flag("includeRelay"),
        _flag("includeIPv6"),
    )
    devices = []
    with state.lock:
        for server in state.servers.values():
            owner = server.owner
            if server.owner_id == account.id:
                token, owned = server.access_token, True
            else:
                share = state.shares.get((server.machine_identifier, account.id))
                if share is None or share.pending:
                    continue
                token, owned = share.access_token, False
            connections = [normalized_connection(c) for c in server.connections]
            connections = [
                c
                for c in connections
                if (include_https or c["protocol"] != "https")
                and (include_relay or not c["relay"])
                and (include_ipv6 or not c["IPv6"])
            ]
            devices.append(
                {
                    "name": server.name,
                    "product": "Plex Media Server",
                    "productVersion": server.version,
                    "platform": server.platform,
                    "platformVersion": server.platform_version,
                    "device": "PC",
                    "clientIdentifier": server.machine_identifier,
                    "createdAt": _iso(server.created_at),
                    "lastSeenAt": _iso(server.last_seen_at),
                    "provides": "server",
                    "ownerId": None if owned else server.owner_id,
                    "sourceTitle": None if owned or owner is None else owner.username,
                    "publicAddress": server.public_address,
                    "accessToken": token,
                    "owned": owned,
                    "home": not owned and account.home_owner_id == server.owner_id,
                    "synced": False,
                    "relay": True,
                    "presence": server.presence,
                    "httpsRequired": False,
                    "publicAddressMatches": True,
                    "dnsRebindingProtection": False,
                    "natLoopbackSupported": False,
                    "connections": connections,
                }
            )
    return devices


def _users_xml(state: PlexTvState, owner: Account) -> ET.Element:
    users = []
    with state.lock:
        owned = {m: s for m, s in state.servers.items() if s.owner_id == owner.id}
        for account in state.accounts.values():
            if account.id == owner.id:
                continue
            shares = [
                share
                for (machine, account_id), share in state.shares.items()
                if account_id == account.id and machine in owned
            ]
            in_home = account.home_owner_id == owner.id
            if not shares and not in_home:
                continue
            servers = [
                _element(
                    "Server",
                    {
                        "id": share.id,
                        "serverId": owned[share.machine_identifier].id,
                        "machineIdentifier": share.machine_identifier,
                        "name": owned[share.machine_identifier].name,
                        "lastSeenAt": owned[share.machine_identifier].last_seen_at,
                        "numLibraries": share.num_libraries
                        if share.num_libraries is not None
                        else owned[share.machine_identifier].library_count,
                        "allLibraries": share.all_libraries,
                        "owned": True,
                        "pending": share.pending,
                    },
                )
                for share in shares
            ]
            attrs = {
                "id": account.id,
                "title": account.username,
                # Managed users have no plex.tv username or email of their own.
                "username": "" if account.home_managed else account.username,
                "email": account.email,
                "recommendationsPlaylistId": "",
                "thumb": account.thumb,
                "protected": False,
                "home": in_home,
                "allowTuners": False,
                "allowSync": True,
                "allowCameraUpload": False,
                "allowChannels": False,
                "allowSubtitleAdmin": False,
                "filterAll": "",
                "filterMovies": "",
                "filterMusic": "",
                "filterPhotos": "",
                "filterTelevision": "",
                "restricted": account.home_managed,
            }
            users.append(_element("User", attrs, *servers))
    container = {
        "friendlyName": "myPlex",
        "identifier": "com.plexapp.plugins.myplex",
        "machineIdentifier": state.myplex_identifier,
        "totalSize": len(users),
        "size": len(users),
    }
    return _element("MediaContainer", container, *users)


# -- the sign-in page -------------------------------------------------------------------------

_AUTH_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plex</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #1f2326; color: #eee; margin: 0; }}
main {{ max-width: 24rem; margin: 3rem auto; padding: 1.5rem; background: #2b3035;
  border-radius: .5rem; }}
button {{ display: block; width: 100%; margin: .5rem 0; padding: .75rem; font-size: 1rem;
  border: 0; border-radius: .25rem; cursor: pointer; }}
button.account {{ background: #e5a00d; color: #1f2326; font-weight: 600; }}
button#cancel {{ background: transparent; color: #ccc; border: 1px solid #666; }}
</style>
</head>
<body>
<main>
<h1>Sign in to Plex</h1>
<p><span id="product">An app</span> wants to use your Plex account.</p>
<div id="accounts">
{buttons}
</div>
<button type="button" id="cancel" data-action="cancel">Cancel</button>
<p id="message" role="status" hidden></p>
</main>
<script>
(function () {{
  var params = new URLSearchParams(location.hash.replace(/^#!?\\??/, ""));
  var code = params.get("code") || "";
  var clientID = params.get("clientID") || "";
  var forwardUrl = params.get("forwardUrl") || "";
  var product = params.get("context[device][product]");
  if (product) {{ document.getElementById("product").textContent = product; }}
  var buttons = document.querySelectorAll("button");
  function show(text) {{
    var message = document.getElementById("message");
    message.textContent = text;
    message.hidden = false;
  }}
  function busy(on) {{ buttons.forEach(function (b) {{ b.disabled = on; }}); }}
  function leave() {{
    if (/^https?:\\/\\//i.test(forwardUrl)) {{ location.assign(forwardUrl); }}
    else {{ busy(false); show("You can close this window."); }}
  }}
  document.querySelectorAll("button[data-account]").forEach(function (button) {{
    button.addEventListener("click", function () {{
      busy(true);
      fetch("/sim/approve", {{
        method: "POST",
        headers: {{"Content-Type": "application/json"}},
        body: JSON.stringify({{code: code, clientID: clientID, account: button.dataset.accountId}})
      }}).then(function (response) {{
        if (response.ok) {{ leave(); return; }}
        busy(false);
        show(response.status === 404 ? "This sign-in link has expired. Go back and try again."
                                     : "Plex could not sign you in.");
      }}).catch(function () {{ busy(false); show("Plex could not be reached."); }});
    }});
  }});
  document.getElementById("cancel").addEventListener("click", leave);
}})();
</script>
</body>
</html>
"""


def _auth_page(state: PlexTvState) -> Response:
    with state.lock:
        accounts = [a for a in state.accounts.values() if not a.home_managed]
    buttons = "\n".join(
        f'<button type="button" class="account" id="account-{html.escape(a.username)}" '
        f'data-account="{html.escape(a.username)}" data-account-id="{a.id}">'
        f"Continue as {html.escape(a.username)}</button>"
        for a in accounts
    )
    return Response(_AUTH_PAGE.format(buttons=buttons), content_type="text/html; charset=utf-8")


# -- the app ----------------------------------------------------------------------------------


def create_app(state: PlexTvState) -> Flask:
    """Build the WSGI app that answers as plex.tv and app.plex.tv from ``state``."""
    app = Flask(__name__)
    app.config["PLEX_TV_STATE"] = state

    @app.before_request
    def faults():
        if request.path.startswith("/api/"):
            return fault_response(
                state,
                wants_json=_wants_json(),
                error=_forced_status,
                json_type=JSON_TYPE,
                xml_type=XML_TYPE,
            )
        return None

    def client_identifier_missing() -> Response | None:
        if not _header("X-Plex-Client-Identifier"):
            return _error(400, *MISSING_CLIENT_IDENTIFIER)
        return None

    def signed_in() -> Account | None:
        return state.account_by_token(_header("X-Plex-Token"))

    @app.post("/api/v2/pins")
    def create_pin():
        if (missing := client_identifier_missing()) is not None:
            return missing
        strong = request.args.get("strong", "false").lower() in ("1", "true")
        pin = state.create_pin(
            _header("X-Plex-Client-Identifier"),
            product=_header("X-Plex-Product") or "0",
            strong=strong,
        )
        return _pin_response(pin, 201)

    @app.get("/api/v2/pins/<pin_id>")
    def check_pin(pin_id):
        if (missing := client_identifier_missing()) is not None:
            return missing
        with state.lock:
            pin = state.pins.get(int(pin_id)) if pin_id.isdigit() else None
            if (
                pin is None
                or pin.expired
                or pin.client_identifier != _header("X-Plex-Client-Identifier")
            ):
                return _error(404, *PIN_NOT_FOUND, with_status=False)
            return _pin_response(pin, 200)

    @app.get("/api/v2/user")
    def user():
        if (missing := client_identifier_missing()) is not None:
            return missing
        account = signed_in()
        if account is None:
            return _error(401, *NOT_AUTHENTICATED)
        return _user_response(state, account)

    @app.get("/api/v2/resources")
    def resources():
        if (missing := client_identifier_missing()) is not None:
            return missing
        account = signed_in()
        if account is None:
            return _error(401, *NOT_AUTHENTICATED)
        devices = _resources_for(state, account)
        if _wants_json():
            return _json_response(devices)
        root = _element("resources", {"size": len(devices)})
        for device in devices:
            connections = device.pop("connections")
            root.append(
                _element(
                    "resource",
                    device,
                    _element("connections", {}, *(_element("connection", c) for c in connections)),
                )
            )
        return _xml_response(root)

    @app.get("/api/users")
    @app.get("/api/users/")
    def users():
        if (missing := client_identifier_missing()) is not None:
            return missing
        account = signed_in()
        if account is None:
            return _error(401, *NOT_AUTHENTICATED)
        return _xml_response(_users_xml(state, account))

    @app.get("/auth")
    @app.get("/auth/")
    def auth_page():
        return _auth_page(state)

    @app.post("/sim/approve")
    def sim_approve():
        data = request.get_json(silent=True) or request.form
        code, who = str(data.get("code") or ""), str(data.get("account") or "")
        if not code or not who:
            return _json_response({"error": "code and account are required"}, 400)
        account = state.accounts.get(int(who)) if who.isdigit() else state.account_by_username(who)
        if account is None:
            return _json_response({"error": "no such account"}, 404)
        client = data.get("clientID")
        with state.lock:
            pin = next((p for p in state.pins.values() if p.code == code and not p.expired), None)
            if pin is None or (client and client != pin.client_identifier):
                return _json_response({"error": "code not found or expired"}, 404)
            try:
                state.approve_pin(pin.id, account)
            except PermissionError as exc:
                return _json_response({"error": str(exc)}, 403)
        return _json_response({"approved": True, "pin": pin.id, "account": account.username})

    return app


def demo_state() -> tuple[PlexTvState, Server]:
    """Build demo mode's plex.tv: an owner, friends, a managed user and one server."""
    state = PlexTvState()
    owner = state.add_account("owner", "owner@example.com")
    friends = [state.add_account(name) for name in ("alice", "bob")]
    state.add_account("carol")
    kid = state.add_account("kid", home_managed=True, home=owner)
    server = state.add_server(owner, "Living Room")
    server.library = demo_libraries()
    server.library_count = len(server.library.libraries)
    for account in (*friends, kid):
        state.share(server, account)
    return state, server


def demo_libraries():
    """Return the libraries demo mode's server holds: movies, shows and music."""
    from simulators.plex_server import PlexServerState

    library = PlexServerState(name="Living Room")
    library.add_library("Movies", "movie", count=300)
    library.add_library("TV Shows", "show", count=40, seasons=3, episodes=8)
    library.add_library("Music", "artist", count=30, seasons=2, episodes=10)
    return library
