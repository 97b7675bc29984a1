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
``add_folder_library(title, folder)`` adds a Personal Media Shows library backed by a real
folder (``simulators.plex_folder``): a path-scoped refresh scans it, at once or ``scan_delay``
seconds later as Plex does in the background.
A server without libraries of its own (``simulators.plextv.Server``) may carry a
``PlexServerState`` in its ``library`` attribute; its libraries and library switches are served.

The library endpoints are in ``simulators.plex_library_views`` (collections in
``simulators.plex_collection_views``), the images in
``simulators.plex_images``, and what they share (paging, section attributes, the library switches
below) in ``simulators.plex_listings``. ``PlexServerState`` itself is in
``simulators.plex_server_state``, ``container`` and ``Node`` in ``simulators.plex_container``.
Who is playing now is ``/status/sessions`` in ``simulators.plex_sessions`` (set ``sessions``).

Library switches on ``PlexServerState``: ``fail_at_page`` (the page at that position of any paged
``/all``, 1-based, answers 500 once, or every time with ``fail_always``) and ``malformed``:
"truncate" (the body stops two thirds in), "bad_attrs" (every fifth item has year "unknown",
empty addedAt, duration -1, rating NaN; some items lack a title), "huge_titles" (every tenth
title is 20,000 characters), "html_titles" (titles and summaries with markup, escaped as XML
asks), "bad_utf8" (bytes that are not UTF-8 in some titles), "duplicate_keys" (every tenth item
and the last repeat the rating key before them). They apply to item listings: ``/all``,
recently added and a collection's children. ``refreshes`` and ``page_requests`` record requests.
"""

import threading
import time

from flask import Blueprint, Flask, request

from simulators import plex_collection_views, plex_images, plex_library_views, plex_sessions
from simulators.faults import fault_response, html_error
from simulators.plex_container import Node, container, identity, wants_json
from simulators.plex_library import Library
from simulators.plex_server_state import DEFAULT_VERSION, PlexServerState, new_machine_identifier

__all__ = [
    "DEFAULT_VERSION",
    "Library",
    "Node",
    "PlexServerState",
    "bp",
    "container",
    "create_app",
    "new_machine_identifier",
]

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

bp = Blueprint("plex_server", __name__)


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


@bp.before_app_request
def _faults_and_auth():
    server = identity()
    fault = fault_response(server, wants_json=wants_json(), error=html_error)
    if fault is not None:
        return fault
    if request.path not in PUBLIC_PATHS and not accepts(server, request_token()):
        return html_error(401)
    return None


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _plain_error(error):
    return html_error(error.code)


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
    app.register_blueprint(plex_library_views.bp)
    app.register_blueprint(plex_collection_views.bp)
    app.register_blueprint(plex_images.bp)
    app.register_blueprint(plex_sessions.bp)
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
