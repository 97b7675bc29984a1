"""Where uploads are written, what they may be called, and how much a person may store."""

import re
import secrets
import unicodedata
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.models.uploads import FAILED, Upload

GB = 1024**3
NAME_LIMIT = 200
KEY = re.compile(r"[0-9a-f]{32}")
# Characters no filesystem likes in a name, and control and direction-changing characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]')


def new_key() -> str:
    return secrets.token_hex(16)


def incoming_dir() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "uploads" / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def part_path(key: str) -> Path:
    """The file an upload's bytes go to: named by our key alone, never by anything sent."""
    if not KEY.fullmatch(key):
        raise ValueError("not an upload key")
    return incoming_dir() / f"{key}.part"


def cleaned(raw: str) -> str:
    """The last part of what was sent, without unsafe characters; may be empty."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    return _UNSAFE.sub("", name).strip(" .")[:NAME_LIMIT]


def clean_name(raw: str) -> str:
    """The name to show for what the browser sent."""
    return cleaned(raw) or "Untitled upload"


def max_file_bytes() -> int:
    return int(settings.get("uploads.max_file_gb")) * GB


def quota_bytes(user=None) -> int | None:
    """What a person's uploads may take together: their own limit, else the default; None is
    no limit (0 in the settings, and for admins)."""
    if user is not None and getattr(user, "is_admin", False):
        return None
    own = getattr(user, "quota_upload_gb", None)
    gb = own if own is not None else settings.get("uploads.quota_gb")
    return int(float(gb) * GB) if gb else None


def used_bytes(user_id: int) -> int:
    """What the person's uploads take (or will, once they arrive), failed ones aside."""
    query = select(func.coalesce(func.sum(Upload.size), 0)).where(
        Upload.user_id == user_id, Upload.state != FAILED
    )
    return int(db.session.scalar(query))


def received(key: str) -> int:
    """Bytes on disk so far: the file is the truth, also after a crash mid-write."""
    try:
        return part_path(key).stat().st_size
    except FileNotFoundError:
        return 0


def _folder(*parts: str) -> Path:
    folder = Path(current_app.config["DATA_DIR"]).joinpath("uploads", *parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def original_path(row: Upload) -> Path:
    """Where a processed upload's file lives (named by key and the container ffprobe found)."""
    if not KEY.fullmatch(row.key) or not re.fullmatch(r"[a-z0-9]{1,16}", row.container or ""):
        raise ValueError("not a processed upload")
    return _folder("originals") / f"{row.key}.{row.container}"


DERIVED = ("poster.jpg", "scrub.jpg", "preview.mp4")


def derived_path(key: str, name: str) -> Path:
    """One of the files processing makes for an upload: its poster, scrub strip or preview."""
    if not KEY.fullmatch(key) or name not in DERIVED:
        raise ValueError("not a derived file")
    return _folder("derived", key) / name


def remove_files(row: Upload) -> None:
    """Every file of an upload on our side: the bytes as they arrived, the original, derived."""
    part_path(row.key).unlink(missing_ok=True)
    if row.container:
        original_path(row).unlink(missing_ok=True)
    for name in DERIVED:
        derived_path(row.key, name).unlink(missing_ok=True)
    folder = derived_path(row.key, DERIVED[0]).parent
    for leftover in folder.glob("*.tmp*"):  # a job killed while writing
        leftover.unlink(missing_ok=True)
    folder.rmdir()
