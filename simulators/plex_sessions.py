"""``/status/sessions``: who is playing what on the simulated Plex Media Server.

The sessions are ``PlaySession`` rows in a ``sessions`` list on the server (a ``PlexServerState``,
or the one a ``simulators.plextv.Server`` carries in ``library``); tests set them directly.
``sessions_fault`` on the same object: "missing" answers 404 as an old server would, "garbage"
JSON of another shape. The JSON is Plex's: ``User``, ``Player``, ``Session`` and, while
transcoding, ``TranscodeSession`` are objects on each ``Metadata`` item.
"""

import json
from dataclasses import dataclass

from flask import Blueprint, Response

from simulators.faults import html_error
from simulators.plex_container import JSON_TYPE, Node, container, identity, wants_json

bp = Blueprint("plex_sessions", __name__)


@dataclass
class PlaySession:
    user: str
    title: str
    type: str = "movie"  # movie | episode | track
    show: str = ""  # the show (episodes) or the artist (tracks): grandparentTitle
    season: int | None = None
    episode: int | None = None
    year: int | None = None
    player: str = "Living Room TV"
    product: str = "Plex for Android (TV)"
    state: str = "playing"  # playing | paused | buffering
    view_offset: int = 0  # milliseconds
    duration: int = 5_400_000
    transcode: bool = False
    rating_key: int = 100_000_001


def holder(server=None):
    """The object that keeps the sessions of this server."""
    server = server or identity()
    if hasattr(server, "sessions"):
        return server
    return getattr(server, "library", None)


def _metadata(index: int, play: PlaySession) -> dict:
    item = {
        "addedAt": 1_705_543_312,
        "duration": play.duration,
        "key": f"/library/metadata/{play.rating_key}",
        "ratingKey": str(play.rating_key),
        "sessionKey": str(index + 1),
        "title": play.title,
        "type": play.type,
        "viewOffset": play.view_offset,
    }
    if play.year:
        item["year"] = play.year
    if play.type in ("episode", "track"):
        item["grandparentTitle"] = play.show
    if play.season is not None:
        item["parentIndex"] = play.season
    if play.episode is not None:
        item["index"] = play.episode
    return item


def _children(index: int, play: PlaySession) -> dict:
    children = {
        "User": {"id": str(index + 1), "thumb": "", "title": play.user},
        "Player": {
            "address": "10.0.0.20",
            "machineIdentifier": f"player-{index + 1}",
            "platform": "android",
            "product": play.product,
            "state": play.state,
            "title": play.player,
            "local": True,
            "relayed": False,
            "secure": True,
        },
        "Session": {"id": f"session-{index + 1}", "bandwidth": 8000, "location": "lan"},
    }
    if play.transcode:
        children["TranscodeSession"] = {
            "key": f"/transcode/sessions/{index + 1}",
            "throttled": False,
            "progress": 12.5,
            "speed": 3.1,
            "videoDecision": "transcode",
            "audioDecision": "copy",
            "protocol": "dash",
        }
    return children


@bp.get("/status/sessions")
def sessions():
    keeper = holder()
    fault = getattr(keeper, "sessions_fault", None)
    if fault == "missing":
        return html_error(404)
    plays = list(getattr(keeper, "sessions", None) or [])
    if fault == "garbage":
        return Response(
            '{"MediaContainer": {"size": 1, "Metadata": {"oops": 1}}}', 200, content_type=JSON_TYPE
        )
    if wants_json():
        items = [{**_metadata(i, play), **_children(i, play)} for i, play in enumerate(plays)]
        body = {"size": len(items)}
        if items:
            body["Metadata"] = items
        return Response(json.dumps({"MediaContainer": body}), 200, content_type=JSON_TYPE)
    nodes = []
    for i, play in enumerate(plays):
        tag = "Track" if play.type == "track" else "Video"
        kids = [Node(name, attrs) for name, attrs in _children(i, play).items()]
        nodes.append(Node(tag, _metadata(i, play), kids))
    return container({"size": len(nodes)}, nodes)
