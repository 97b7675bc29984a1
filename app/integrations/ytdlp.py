"""yt-dlp, used as a library: previews (flat listings) and downloads with progress.

Everything that talks to a video site runs in a child process of its own (its own process
group, with a network guard that refuses loopback and private addresses unless allowed), so a
cancel, a timeout or a killed job ends yt-dlp and the ffmpeg it started, and a redirect or a DNS
name cannot reach inside the network.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

# FetchError.code values; each has a sentence for people in ERROR_WORDS.
PRIVATE, REMOVED, AGE, MEMBERS, BOT, NETWORK, DISK, UNSUPPORTED, CANCELLED, OTHER = (
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
)
# Codes worth another attempt: the same request may work later.
RETRYABLE = frozenset({NETWORK, OTHER})

QUALITIES = ("best", "2160p", "1440p", "1080p", "720p", "480p", "360p", "audio")


class FetchError(Exception):
    """yt-dlp could not read or fetch something; `message` is written for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

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
    raise NotImplementedError


def list_entries(url: str, *, start: int = 1, end: int | None = None, guard: Guard = Guard()):
    """Entries start..end (1-based, inclusive) of a playlist or channel, newest first for a
    channel; for a video, that one video. Raises FetchError."""
    raise NotImplementedError


def fetch(spec: FetchSpec, on_progress: ProgressFn, should_cancel: Callable[[], bool]):
    """Download one video with yt-dlp and ffmpeg (tags and cover embedded) -> FetchResult.

    Raises FetchError (code CANCELLED when should_cancel() turned true); nothing is left in
    staging_dir or at final_path unless it succeeded."""
    raise NotImplementedError


def write_show_art(folder: str, image_url: str | None, guard: Guard = Guard()) -> None:
    """poster.jpg and fanart.jpg for the show folder, when it has none yet."""
    raise NotImplementedError


def version() -> tuple[str, date | None]:
    """yt-dlp's version and its release date (versions are dates)."""
    raise NotImplementedError


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
}
