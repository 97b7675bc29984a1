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


def clean_name(raw: str) -> str:
    """The name to show: the last part of what the browser sent, without unsafe characters."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("", name).strip(" .")
    return name[:NAME_LIMIT] or "Untitled upload"


def max_file_bytes() -> int:
    return int(settings.get("uploads.max_file_gb")) * GB


def quota_bytes() -> int:
    return int(settings.get("uploads.quota_gb")) * GB


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
