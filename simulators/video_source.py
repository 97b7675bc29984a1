"""A loopback video site for yt-dlp: real small MP4s, watch pages and media RSS feeds.

/watch/<id> is a video's page (schema.org VideoObject), /media/<id>.mp4 its file (Range
requests, so yt-dlp resumes a .part file), /thumbs/<id>.jpg its thumbnail. /feeds/<id>.xml is
a playlist, /channel/nestcam/feed.xml the channel (newest first), /feeds/big.xml a playlist of
5,000 videos. Switches on the state, set by tests or POST /_switch: ``fail`` (HTTP status for a
video id, or "*" for all), ``throttle`` (bytes/s), ``cut`` (close the connection once a file
reaches that byte; ``cut_always`` for every request, else only the next one).
"""

import re
import threading
import time
from dataclasses import dataclass, field

from flask import Blueprint, Flask, current_app, redirect, request
from werkzeug.wrappers import Response

from simulators import video_feeds
from simulators.video_catalog import CHANNEL, Catalog, Playlist
from simulators.video_files import MediaFile, MediaSpec, make_media, png_image

CHUNK = 64 * 1024


@dataclass
class VideoSourceState:
    catalog: Catalog = field(default_factory=Catalog)
    spec: MediaSpec = field(default_factory=MediaSpec)
    fail: dict[str, int] = field(default_factory=dict)  # video id or "*" -> HTTP status
    throttle: int = 0  # bytes per second of each file response; 0: as fast as it goes
    cut: int | None = None  # close a file's connection when it reaches this byte
    cut_always: bool = False
    hits: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)  # Range headers of file requests, in order
    cookies: list[str] = field(default_factory=list)  # Cookie headers of page requests
    media: list[MediaFile] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def prepare(self) -> "VideoSourceState":
        """Make (or find cached) the real video files."""
        if not self.media:
            self.media = make_media(self.spec)
        return self

    def media_for(self, video_id: str) -> MediaFile:
        """The real file that plays for this video."""
        return self.media[self.catalog.variant(video_id, len(self.media))]

    def take_cut(self) -> int | None:
        """The byte this response stops at; a one-time cut is used up."""
        with self._lock:
            cut = self.cut
            if not self.cut_always:
                self.cut = None
            return cut

    def count(self, path: str) -> None:
        with self._lock:
            self.hits.append(path)

    def switch(self, **changes) -> None:
        """Set switches by name (the admin route and tests); reset=True clears them first."""
        with self._lock:
            if changes.pop("reset", False):
                self.fail, self.throttle, self.cut, self.cut_always = {}, 0, None, False
            for name, value in changes.items():
                if name not in ("fail", "throttle", "cut", "cut_always"):
                    raise ValueError(f"unknown switch {name}")
                setattr(self, name, value)


bp = Blueprint("video_source", __name__)


def _state() -> VideoSourceState:
    return current_app.config["VIDEO_SOURCE_STATE"]


def _base() -> str:
    return request.host_url.rstrip("/")


def _failed(video_id: str) -> Response | None:
    fail = _state().fail
    status = fail.get(video_id) or fail.get("*")
    if not status:
        return None
    return Response(f"Error {status}", status, content_type="text/plain")


@bp.before_request
def count():
    _state().count(request.path)


@bp.get("/watch/<video_id>")
def watch(video_id):
    state = _state()
    video = state.catalog.video(video_id)
    if video is None:
        return Response("No such video", 404, content_type="text/plain")
    state.cookies.append(request.headers.get("Cookie", ""))
    failed = _failed(video_id)
    if failed is not None:
        return failed
    media = state.media_for(video_id)
    page = video_feeds.watch_page(_base(), video, media.size, state.spec.width, state.spec.height)
    return Response(page, 200, content_type="text/html; charset=utf-8")


@bp.route("/media/<video_id>.mp4", methods=["GET", "HEAD"])
def media(video_id):
    state = _state()
    if state.catalog.video(video_id) is None:
        return Response("No such video", 404, content_type="text/plain")
    failed = _failed(video_id)
    if failed is not None:
        return failed
    file = state.media_for(video_id)
    state.ranges.append(request.headers.get("Range", ""))
    return _ranged(file.video, file.size, state)


def _ranged(path, size: int, state: VideoSourceState) -> Response:
    """The file, or the part a Range header asks for (one range, as yt-dlp sends)."""
    start, end = 0, size - 1
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", request.headers.get("Range", "").strip())
    status = 200
    if match and (match.group(1) or match.group(2)):
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:
            start = max(size - int(match.group(2)), 0)
        if start >= size or start > end:
            headers = {"Content-Range": f"bytes */{size}"}
            return Response("", 416, headers=headers, content_type="text/plain")
        status = 206
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(end - start + 1)}
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if request.method == "HEAD":
        return Response(b"", status, headers=headers, content_type="video/mp4")
    cut = state.take_cut()
    if cut is not None:
        # The peer sees the connection close short of Content-Length, as a dropped network would.
        headers["Connection"] = "close"
    body = _stream(path, start, end, cut, state.throttle)
    return Response(
        body, status, headers=headers, content_type="video/mp4", direct_passthrough=True
    )


def _stream(path, start: int, end: int, cut: int | None, rate: int):
    stop = end + 1 if cut is None else min(end + 1, cut)
    chunk = CHUNK if not rate else max(1024, min(CHUNK, rate // 10))
    began, sent = time.monotonic(), 0
    with open(path, "rb") as handle:
        handle.seek(start)
        position = start
        while position < stop:
            data = handle.read(min(chunk, stop - position))
            if not data:
                return
            yield data
            position += len(data)
            sent += len(data)
            if rate:
                ahead = sent / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)


@bp.get("/thumbs/<video_id>.jpg")
def thumbnail(video_id):
    state = _state()
    if state.catalog.video(video_id) is None:
        return Response("No such thumbnail", 404, content_type="text/plain")
    file = state.media_for(video_id)
    return Response(file.thumbnail.read_bytes(), 200, content_type="image/jpeg")


@bp.get("/art/<name>.<ext>")
def art(name, ext):
    """Show art: JPEG, or PNG for clients that must convert it."""
    state = _state()
    if ext == "jpg":
        return Response(state.media[0].thumbnail.read_bytes(), 200, content_type="image/jpeg")
    if ext == "png":
        picture = png_image(state.media[0].video.parent / "art.png")
        return Response(picture.read_bytes(), 200, content_type="image/png")
    return Response("No such picture", 404, content_type="text/plain")


def _feed(playlist: Playlist, videos) -> Response:
    body = video_feeds.feed(_base(), playlist, videos, request.url)
    return Response(body, 200, content_type="application/rss+xml; charset=utf-8")


@bp.get("/feeds/<playlist_id>.xml")
def playlist_feed(playlist_id):
    catalog = _state().catalog
    if playlist_id == "big":
        playlist = catalog.big()
        return _feed(playlist, [catalog.video(video_id) for video_id in playlist.video_ids])
    playlist = catalog.playlists.get(playlist_id)
    if playlist is None:
        return Response("No such playlist", 404, content_type="text/plain")
    return _feed(playlist, [catalog.videos[video_id] for video_id in playlist.video_ids])


@bp.get(f"/channel/{CHANNEL}/feed.xml")
def channel_feed():
    videos = _state().catalog.channel()
    channel = Playlist(CHANNEL, "Nest Cam", "Nest Cam", tuple(v.video_id for v in videos))
    return _feed(channel, videos)


@bp.get("/_redirect")
def go():
    """A redirect to any address (tests: a redirect must not lead where a URL may not)."""
    return redirect(request.args.get("to", "/"), 302)


@bp.post("/_switch")
def switch():
    try:
        _state().switch(**(request.get_json(silent=True) or {}))
    except (TypeError, ValueError) as exc:
        return {"error": str(exc)}, 400
    return {"ok": True}


def demo_links(base_url: str) -> list[dict[str, str]]:
    """Addresses to paste into MediaNest in demo mode: a playlist, a channel, one video."""
    base = base_url.rstrip("/")
    return [
        {"label": "A playlist (4 videos)", "url": f"{base}/feeds/top10.xml"},
        {"label": "A channel, newest first", "url": f"{base}/channel/{CHANNEL}/feed.xml"},
        {"label": "One video", "url": f"{base}/watch/vs000000003"},
        {"label": "A playlist of 5,000 videos", "url": f"{base}/feeds/big.xml"},
    ]


def create_app(state: VideoSourceState | None = None) -> Flask:
    """Build the WSGI app of the simulated video site (makes its videos on first use)."""
    app = Flask(__name__)
    app.config["VIDEO_SOURCE_STATE"] = (state or VideoSourceState()).prepare()
    app.register_blueprint(bp)
    return app
