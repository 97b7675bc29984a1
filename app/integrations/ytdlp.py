"""yt-dlp, used as a library: previews (flat listings) and downloads with progress.

Everything that talks to a video site runs in a child process of its own (its own process
group, with a network guard that refuses loopback and private addresses unless allowed), so a
cancel, a timeout or a killed job ends yt-dlp and the ffmpeg it started, and a redirect or a DNS
name cannot reach inside the network.
"""

import errno
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.integrations.ytdlp_errors import classify, short_reason
from app.integrations.ytdlp_info import (
    entry_fields,
    kind_of,
    result_info,
    site_of,
    source_id,
    thumbnail_of,
)
from app.integrations.ytdlp_run import ChildFailed, Stopped, run_child

# FetchError.code values; each has a sentence for people in ERROR_WORDS.
PRIVATE, REMOVED, AGE, MEMBERS, BOT, NETWORK, DISK, UNSUPPORTED, CANCELLED, OTHER, REFUSED = (
    "private",
    "removed",
    "age_restricted",
    "members_only",
    "bot_check",
    "network",
    "disk_full",
    "unsupported",
    "cancelled",
    "other",
    "refused",  # the address, or a redirect from it, points inside the network
)
# Codes worth another attempt: the same request may work later.
RETRYABLE = frozenset({NETWORK, OTHER})

QUALITIES = ("best", "2160p", "1440p", "1080p", "720p", "480p", "360p", "audio")


class FetchError(Exception):
    """yt-dlp could not read or fetch something; `message` is written for people."""

    def __init__(self, code: str, message: str, detail: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail  # yt-dlp's own words, for the logs

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE


@dataclass(frozen=True)
class Entry:
    """One video as a flat listing gives it."""

    video_id: str
    extractor: str  # yt-dlp's extractor key, lower case ("youtube", "generic")
    url: str
    title: str = ""
    uploader: str = ""
    upload_date: str | None = None  # YYYYMMDD
    duration: int | None = None  # seconds
    thumbnail: str | None = None


@dataclass(frozen=True)
class Preview:
    """What a URL holds, read flat: one page of its videos."""

    kind: str  # video | playlist | channel
    source_key: str  # "<extractor>:<kind>:<id>", the same however the URL was spelled
    title: str
    uploader: str
    thumbnail: str | None
    count: int | None  # videos in all, when the site says
    entries: list[Entry] = field(default_factory=list)  # this page, in playlist order
    page: int = 1
    has_more: bool = False

    @property
    def duration(self) -> int | None:
        """Seconds of the videos listed, when each says."""
        known = [e.duration for e in self.entries if e.duration]
        return sum(known) if known else None


@dataclass(frozen=True)
class Guard:
    """Where a child process may connect, and what it may read with."""

    allowed_hosts: tuple[str, ...] = ()  # hosts named by the admin: allowed even if private
    cookies_file: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class FetchSpec:
    """One video to fetch into staging_dir, then move to final_path."""

    url: str
    video_id: str
    quality: str
    staging_dir: str  # removed afterwards, whatever happens
    final_path: str  # absolute path of the .mp4 (or .m4a for audio)
    guard: Guard = Guard()
    timeout: float = 6 * 3600


@dataclass(frozen=True)
class FetchResult:
    path: str
    size_bytes: int
    info: dict  # title, uploader, upload_date, description, duration, thumbnail, channel …


# Progress callback: {"phase": "downloading"|"processing", "pct": 0..100, "speed": bytes/s|None,
# "eta": seconds|None, "downloaded": bytes, "total": bytes|None}
ProgressFn = Callable[[dict], None]


def preview(url: str, *, page: int = 1, page_size: int = 50, guard: Guard = Guard()) -> Preview:
    """Read a URL flat (no video resolved); raises FetchError."""
    page, page_size = max(page, 1), max(page_size, 1)
    first = (page - 1) * page_size + 1
    # One more than the page asks for: whether it comes back says if there are more.
    info = _listing(url, f"{first}:{first + page_size}", guard)
    return build_preview(info, url, page, page_size)


def build_preview(info: dict, url: str, page: int, page_size: int) -> Preview:
    """A Preview from yt-dlp's flat answer for items page_size*(page-1)+1 … one past the page."""
    first = (page - 1) * page_size + 1
    kind = kind_of(info, url)
    rows = info.get("entries")
    entries = [_entry(info)] if rows is None else [_entry(row, info) for row in rows]
    count = info.get("playlist_count") if rows is not None else 1
    has_more = len(entries) > page_size or bool(count and first - 1 + page_size < count)
    return Preview(
        kind=kind,
        source_key=f"{site_of(info)}:{kind}:{source_id(info, kind)}",
        title=info.get("title") or "",
        uploader=info.get("uploader") or info.get("channel") or "",
        thumbnail=thumbnail_of(info),
        count=count,
        entries=[e for e in entries[:page_size] if e.video_id],
        page=page,
        has_more=has_more,
    )


def list_entries(url: str, *, start: int = 1, end: int | None = None, guard: Guard = Guard()):
    """Entries start..end (1-based, inclusive) of a playlist or channel, newest first for a
    channel; for a video, that one video. Raises FetchError."""
    info = _listing(url, f"{max(start, 1)}:{end or ''}", guard)
    rows = info.get("entries")
    entries = [_entry(info)] if rows is None else [_entry(row, info) for row in rows]
    return [e for e in entries if e.video_id]


def fetch(spec: FetchSpec, on_progress: ProgressFn, should_cancel: Callable[[], bool]):
    """Download one video with yt-dlp and ffmpeg (tags and cover embedded) -> FetchResult.

    Raises FetchError (code CANCELLED when should_cancel() turned true); nothing is left in
    staging_dir or at final_path unless it succeeded."""
    if spec.quality not in QUALITIES:
        choices = ", ".join(QUALITIES)
        raise FetchError(UNSUPPORTED, f"Unknown quality {spec.quality!r}; choose one of {choices}.")
    request = {"action": "fetch", "url": spec.url, "staging_dir": spec.staging_dir}
    request |= {"format_args": format_args(spec.quality), **_guard(spec.guard)}
    final = Path(spec.final_path)
    try:
        data = _run(request, spec.timeout, on_progress, should_cancel)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(data["path"], final)
        size = final.stat().st_size
    except OSError as exc:
        code = DISK if exc.errno in (errno.ENOSPC, errno.EDQUOT) else OTHER
        raise FetchError(code, ERROR_WORDS[code], str(exc)) from None
    finally:
        shutil.rmtree(spec.staging_dir, ignore_errors=True)
    return FetchResult(str(final), size, result_info(data["info"]))


def format_args(quality: str) -> list[str]:
    """yt-dlp's command-line options for a quality: MP4 (H.264/AAC first), or M4A audio."""
    if quality == "audio":
        return ["-f", "ba[ext=m4a]/ba/b", "-x", "--audio-format", "m4a", *_TAGS]
    formats = "bv*+ba/b"
    if quality != "best":
        height = int(quality.rstrip("p"))
        formats = f"bv*[height<=?{height}]+ba/b[height<=?{height}]/wv*+ba/w"
    sort = ["-S", "vcodec:h264,res,acodec:aac"]
    return ["-f", formats, *sort, "--merge-output-format", "mp4", "--remux-video", "mp4", *_TAGS]


# Title, date, description and cover inside the file: what Plex's personal media agent reads.
_TAGS = ("--embed-metadata", "--embed-thumbnail", "--convert-thumbnails", "jpg")


def write_show_art(folder: str, image_url: str | None, guard: Guard = Guard()) -> None:
    """poster.jpg and fanart.jpg for the show folder, when it has none yet."""
    names = ("poster.jpg", "fanart.jpg")
    if not image_url or all((Path(folder) / name).exists() for name in names):
        return
    request = {"action": "art", "folder": folder, "image_url": image_url, **_guard(guard)}
    _run(request, guard.timeout * 2, None, None)


def version() -> tuple[str, date | None]:
    """yt-dlp's version and its release date (versions are dates)."""
    from yt_dlp.version import __version__

    match = re.match(r"(\d{4})\.(\d{1,2})\.(\d{1,2})", __version__)
    try:
        return __version__, date(*map(int, match.groups())) if match else None
    except ValueError:
        return __version__, None


def _guard(guard: Guard) -> dict:
    allowed = list(guard.allowed_hosts)
    return {"allowed_hosts": allowed, "cookies_file": guard.cookies_file, "timeout": guard.timeout}


def _listing(url: str, items: str, guard: Guard) -> dict:
    request = {"action": "list", "url": url, "items": items, **_guard(guard)}
    return _run(request, max(guard.timeout * 4, 60.0), None, None)


def _run(request: dict, timeout: float, on_progress, should_cancel) -> dict:
    """The child's answer, or FetchError with the code its failure maps to."""
    try:
        return run_child(
            request, timeout=timeout, on_progress=on_progress, should_cancel=should_cancel
        )
    except Stopped as stop:
        if stop.reason == "cancelled":
            raise FetchError(CANCELLED, ERROR_WORDS[CANCELLED]) from None
        words = f"It took longer than the {_duration(timeout)} allowed; try again later."
        raise FetchError(NETWORK, words, f"timeout after {timeout:.0f} s") from None
    except ChildFailed as failed:
        message = failed.line.get("message") or ""
        code = classify(message, failed.line.get("errno"))
        words = ERROR_WORDS[code]
        if code == OTHER and message:  # no sentence of ours fits: yt-dlp's reason, shortened
            words = f"{words[:-1]}: {short_reason(message)}"
        raise FetchError(code, words, message) from None


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} hours"
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:g} seconds"


def _entry(row: dict, playlist: dict | None = None) -> Entry:
    return Entry(**entry_fields(row, playlist))


ERROR_WORDS = {
    PRIVATE: "This video is private.",
    REMOVED: "This video was removed or does not exist.",
    AGE: "This video is age-restricted: an admin can add cookies from a signed-in browser.",
    MEMBERS: "This video is for channel members only.",
    BOT: (
        "YouTube asked to sign in to confirm this is not a bot: an admin needs to add cookies "
        "from a signed-in browser (they may still fail from a server address YouTube flags)."
    ),
    NETWORK: "The site could not be reached.",
    DISK: "The disk is full.",
    UNSUPPORTED: "This address has no videos MediaNest can download.",
    CANCELLED: "Cancelled.",
    OTHER: "The download failed.",
    REFUSED: (
        "This address, or one it redirects to, points inside your network, which downloads may "
        "not reach unless an admin names it under Admin → Downloads."
    ),
}
