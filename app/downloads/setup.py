"""Where downloads go and what they may reach: stored settings, seeded by MEDIANEST_* variables."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from app import settings

COOKIES_NAME = "youtube-cookies.txt"
# Reached with no admin choice: YouTube and YouTube Music, however they are spelled.
YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtu.be",
        "www.youtube-nocookie.com",
    }
)


def youtube_dir() -> Path:
    """The folder downloads are written to, as MediaNest sees it."""
    stored = settings.get("downloads.youtube_dir") or current_app.config["YOUTUBE_DIR"]
    return Path(stored or Path(current_app.config["MEDIA_ROOT"]) / "youtube")


def plex_path() -> str:
    """The same folder as Plex sees it (another machine or container may mount it elsewhere)."""
    stored = settings.get("downloads.plex_path") or current_app.config["YOUTUBE_PLEX_PATH"]
    return (stored or str(youtube_dir())).rstrip("/") or "/"


def as_plex_sees(path: Path) -> str:
    """A path under the YouTube folder, spelled as Plex sees it."""
    relative = path.relative_to(youtube_dir())
    return plex_path() + ("" if str(relative) == "." else "/" + relative.as_posix())


def library_ref() -> str:
    """The Plex library downloads land in: its title or its key ('' when not chosen)."""
    return (settings.get("downloads.library") or current_app.config["YOUTUBE_LIBRARY"]).strip()


def _listed(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip().lower() for p in (raw or "").split(",") if p.strip()))


def allowed_hosts() -> tuple[str, ...]:
    """Hosts the admin named beyond YouTube (host or host:port); private ones only when named."""
    hosts = _listed(
        settings.get("downloads.allowed_hosts") or current_app.config["DOWNLOAD_ALLOWED_HOSTS"]
    )
    # The demo's video site gets a new port each run; a saved list still names the old one.
    demo = current_app.config["DEMO"] and urlsplit(current_app.config["DEMO_VIDEO_URL"]).netloc
    return hosts + (demo.lower(),) if demo and demo.lower() not in hosts else hosts


def allowed_sites() -> tuple[str, ...]:
    """yt-dlp extractors the admin allowed beyond YouTube ("vimeo", "soundcloud" …)."""
    return _listed(settings.get("downloads.allowed_sites"))


def cookies_file() -> str | None:
    """The cookies file yt-dlp reads, when the admin stored one."""
    path = Path(current_app.config["DATA_DIR"]) / COOKIES_NAME
    return str(path) if path.is_file() else None


def staging_root() -> Path:
    """Where videos are written while they download (same filesystem, so the move is atomic)."""
    return youtube_dir() / ".medianest-partial"


def free_bytes() -> int | None:
    """Space left where downloads go, or None when the folder cannot be read."""
    folder = youtube_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stats = os.statvfs(folder)
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize
