"""Upload settings: the Home Videos folder, its Plex library, sizes and space, and who uses what."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app import settings
from app.admin.downloads_settings_services import (
    MAX_NAME,
    MAX_PATH,
    SaveResult,
    Sections,
    _is_absolute,
    _text,
    folder_problem,
    sections,
    whole_numbers,
)
from app.extensions import db
from app.models import User
from app.models.uploads import FAILED, Upload
from app.uploads import setup, storage

NUMBERS = {
    "max_file_gb": ("uploads.max_file_gb", 1, 10_000),
    "quota_gb": ("uploads.quota_gb", 0, 1_000_000),
}

__all__ = ["Sections", "current", "save", "sections", "storage_by_person"]


@dataclass(frozen=True)
class PersonStorage:
    user: User
    files: int
    used: int  # bytes
    limit: int | None  # bytes; None: no limit


def current() -> dict:
    """The values the form shows: what uploads use now (stored, else the environment's)."""
    return {
        "home_dir": str(setup.home_dir()),
        "plex_path": setup.plex_path(),
        "library": setup.library_ref(),
        "max_file_gb": settings.get("uploads.max_file_gb"),
        "quota_gb": settings.get("uploads.quota_gb"),
        "convert": bool(settings.get("uploads.convert")),
    }


def storage_by_person() -> list[PersonStorage]:
    """Everyone with uploads, the most space first."""
    rows = db.session.execute(
        select(Upload.user_id, func.count(Upload.id), func.coalesce(func.sum(Upload.size), 0))
        .where(Upload.state != FAILED)
        .group_by(Upload.user_id)
    ).all()
    people = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))
    }
    found = [
        PersonStorage(people[uid], int(count), int(used), storage.quota_bytes(people[uid]))
        for uid, count, used in rows
        if uid in people
    ]
    return sorted(found, key=lambda p: (-p.used, p.user.username.casefold()))


def save(form, *, actor) -> SaveResult:
    """Check every field; store all (audited as a settings change) or none."""
    result, changes = SaveResult(), {}
    errors = result.errors
    home_dir = _text(form, "home_dir", MAX_PATH, errors)
    home_dir = home_dir.rstrip("/") or home_dir
    if not home_dir and "home_dir" not in errors:
        errors["home_dir"] = "Enter the folder home videos are placed in."
    elif "home_dir" not in errors and (problem := folder_problem(home_dir)):
        errors["home_dir"] = problem
    plex_path = _text(form, "plex_path", MAX_PATH, errors)
    if plex_path and "plex_path" not in errors and not _is_absolute(plex_path):
        errors["plex_path"] = (
            "Enter the full path as Plex sees it, like /data/home-videos or D:\\Home Videos."
        )
    library = _text(form, "library", MAX_NAME, errors)
    whole_numbers(form, errors, changes, NUMBERS)
    if errors:
        return result
    changes.update(
        {
            "uploads.home_dir": home_dir,
            "uploads.plex_path": plex_path,
            "uploads.library": library,
            "uploads.convert": form.get("convert") == "on",
        }
    )
    result.changed = settings.put(changes, actor=actor)
    return result
