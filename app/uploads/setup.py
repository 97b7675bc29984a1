"""Where home videos go in Plex: stored settings, seeded by MEDIANEST_HOME_VIDEOS_* variables."""

from pathlib import Path

from flask import current_app

from app import settings


def home_dir() -> Path:
    """The Home Videos folder, as MediaNest sees it."""
    stored = settings.get("uploads.home_dir") or current_app.config["HOME_VIDEOS_DIR"]
    return Path(stored or Path(current_app.config["MEDIA_ROOT"]) / "home-videos")


def plex_path() -> str:
    """The same folder as Plex sees it (another machine or container may mount it elsewhere)."""
    stored = settings.get("uploads.plex_path") or current_app.config["HOME_VIDEOS_PLEX_PATH"]
    return (stored or str(home_dir())).rstrip("/") or "/"


def as_plex_sees(path: Path) -> str:
    """A path under the Home Videos folder, spelled as Plex sees it."""
    relative = path.relative_to(home_dir())
    return plex_path() + ("" if str(relative) == "." else "/" + relative.as_posix())


def library_ref() -> str:
    """The Plex library home videos land in: its title or its key ('' when not chosen)."""
    return (settings.get("uploads.library") or current_app.config["HOME_VIDEOS_LIBRARY"]).strip()
