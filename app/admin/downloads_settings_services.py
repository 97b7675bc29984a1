"""Downloads settings: folders, the Plex library, allowed sites and hosts, default limits, and
what the admin should know (yt-dlp's age, disk space, the cookies file)."""

import ipaddress
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath

import requests

from app import settings
from app.downloads import setup
from app.integrations import plex_library, ytdlp
from app.integrations.plex_server import PlexServerError

MAX_PATH = 1000
MAX_NAME = 200
MAX_LIST = 2000
OLD_DAYS = 60
HOSTNAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
SITE = re.compile(r"[a-z0-9_:]{2,64}")
NUMBERS = {
    "quota_downloads": ("quota.downloads", 0, 100_000),
    "storage_gb": ("downloads.storage_gb", 0, 1_000_000),
}


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sections:
    choices: list  # [plex_library.SectionCheck]
    problem: str | None = None


def current() -> dict:
    """The values the form shows: what downloads use now (stored, else the environment's)."""
    return {
        "youtube_dir": str(setup.youtube_dir()),
        "plex_path": setup.plex_path(),
        "library": setup.library_ref(),
        "allowed_hosts": ", ".join(setup.allowed_hosts()),
        "allowed_sites": ", ".join(setup.allowed_sites()),
        "quota_downloads": settings.get("quota.downloads"),
        "storage_gb": settings.get("downloads.storage_gb"),
    }


def sections() -> Sections:
    """The Plex server's show libraries, each checked, or why they cannot be read."""
    base, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    if not (base and token):
        return Sections([], "Connect a Plex server first; until then, type the library's name.")
    try:
        return Sections(list(plex_library.show_sections(base, token)))
    except (PlexServerError, requests.RequestException, OSError):
        return Sections([], "Plex could not be read just now; type the library's name instead.")


def facts() -> dict:
    """What the page tells the admin beside the form."""
    version, released = ytdlp.version()
    age = (datetime.now(UTC).date() - released).days if released else None
    return {
        "version": version,
        "released": released,
        "old": age is not None and age > OLD_DAYS,
        "age": age,
        "free": setup.free_bytes(),
        "cookies_at": settings.get("downloads.cookies_at"),
    }


def _text(form, name: str, limit: int, errors: dict) -> str:
    value = form.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit or not value.isprintable():
        errors[name] = f"That is too long or has characters it cannot have (at most {limit})."
    return value


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or PureWindowsPath(path).is_absolute()


def folder_problem(path: str) -> str | None:
    """Why downloads cannot be written to this folder, or None."""
    if not path.startswith("/"):
        return "Enter the folder's full path, starting with /."
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"MediaNest cannot make that folder: {exc.strerror or exc}."
    if not os.access(folder, os.W_OK | os.X_OK):
        return "MediaNest may not write to that folder: give its user write access."
    return None


def host_problem(entry: str) -> str | None:
    name, colon, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
    if colon and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        return f"{entry}: the port after : must be a number from 1 to 65535."
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    if HOSTNAME.fullmatch(name) is None:
        return f"{entry} is not a host name (like videos.example.com or 192.168.1.20:8080)."
    return None


def _listed(raw: str) -> list[str]:
    return list(dict.fromkeys(p.strip().lower() for p in raw.split(",") if p.strip()))


def _known_sites() -> set[str]:
    from yt_dlp.extractor import gen_extractor_classes

    return {ie.ie_key().lower() for ie in gen_extractor_classes()} - {"generic"}


def sites_problem(sites: list[str]) -> str | None:
    odd = [s for s in sites if not SITE.fullmatch(s)]
    unknown = odd or sorted(set(sites) - _known_sites())
    if unknown:
        return (
            f"{', '.join(unknown[:5])}: not a site yt-dlp knows. Use its extractor names, "
            "like vimeo, soundcloud or bandcamp (yt-dlp --list-extractors)."
        )
    return None


def whole_numbers(form, errors: dict, changes: dict, numbers: dict = NUMBERS) -> None:
    """Each field of numbers (name: (setting, lowest, highest)) into changes, or its error."""
    for name, (key, low, high) in numbers.items():
        raw = form.get(name)
        raw = raw.strip() if isinstance(raw, str) else ""
        if not (raw.isascii() and raw.isdigit() and len(raw) < 9) or not low <= int(raw) <= high:
            errors[name] = f"Enter a whole number from {low} to {high:,}."
        else:
            changes[key] = int(raw)


def save(form, *, actor) -> SaveResult:
    """Check every field; store all (audited as a settings change) or none."""
    result, changes = SaveResult(), {}
    errors = result.errors
    youtube_dir = _text(form, "youtube_dir", MAX_PATH, errors)
    youtube_dir = youtube_dir.rstrip("/") or youtube_dir
    if not youtube_dir and "youtube_dir" not in errors:
        errors["youtube_dir"] = "Enter the folder downloads are written to."
    elif "youtube_dir" not in errors and (problem := folder_problem(youtube_dir)):
        errors["youtube_dir"] = problem
    plex_path = _text(form, "plex_path", MAX_PATH, errors)
    if plex_path and "plex_path" not in errors and not _is_absolute(plex_path):
        errors["plex_path"] = (
            "Enter the full path as Plex sees it, like /data/youtube or D:\\YouTube."
        )
    library = _text(form, "library", MAX_NAME, errors)
    hosts = _listed(_text(form, "allowed_hosts", MAX_LIST, errors))
    if "allowed_hosts" not in errors and (
        problem := next(filter(None, map(host_problem, hosts)), None)
    ):
        errors["allowed_hosts"] = problem
    sites = _listed(_text(form, "allowed_sites", MAX_LIST, errors))
    if sites and "allowed_sites" not in errors and (problem := sites_problem(sites)):
        errors["allowed_sites"] = problem
    whole_numbers(form, errors, changes)
    if errors:
        return result
    changes.update(
        {
            "downloads.youtube_dir": youtube_dir,
            "downloads.plex_path": plex_path,
            "downloads.library": library,
            "downloads.allowed_hosts": ", ".join(hosts),
            "downloads.allowed_sites": ", ".join(sites),
        }
    )
    result.changed = settings.put(changes, actor=actor)
    return result
