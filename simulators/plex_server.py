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
"""

import json
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, request

from simulators.faults import fault_response, html_error

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

    def accepts(self, token: str | None) -> bool:
        """Say whether this token may read the server."""
        return bool(token) and token in self.tokens


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


def create_app(identity) -> Flask:
    """Build the WSGI app of a Plex Media Server that answers as ``identity``."""
    app = Flask(__name__)
    app.config["PLEX_IDENTITY"] = identity
    app.register_blueprint(bp)
    return app
