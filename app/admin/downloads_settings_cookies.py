"""The cookies file yt-dlp signs in with: checked, kept in the data folder (mode 600), never
shown back; the page only says when it was stored."""

import os
import tempfile
from pathlib import Path

from flask import current_app

from app import settings
from app.downloads.setup import COOKIES_NAME
from app.models.base import utcnow

MAX_BYTES = 1024 * 1024
HEADERS = ("# netscape http cookie file", "# http cookie file")


def cookies_problem(text: str) -> str | None:
    """Why this is not a cookies file in the Netscape format yt-dlp reads, or None."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "That file is empty."
    if lines[0].strip().lower().startswith(HEADERS):
        return None
    cookies = [line for line in lines if not line.startswith("#") or line.startswith("#HttpOnly_")]
    if cookies and all(len(line.split("\t")) == 7 for line in cookies):
        return None
    return (
        "That is not a cookies file in the Netscape format: export one with a browser extension "
        'such as "Get cookies.txt LOCALLY", while signed in to YouTube.'
    )


def _path() -> Path:
    return Path(current_app.config["DATA_DIR"]) / COOKIES_NAME


def store(upload, *, actor) -> str | None:
    """Keep an uploaded cookies file; returns the problem in words, or None when stored."""
    if upload is None or not upload.filename:
        return "Choose the cookies file first."
    data = upload.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return "That file is larger than 1 MB: export the cookies of youtube.com only."
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "That is not a text file: export the cookies as cookies.txt."
    if problem := cookies_problem(text):
        return problem
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole with owner-only rights from the first byte, then put in place at once.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cookies-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return "The cookies file could not be written to the data folder; check its rights."
    settings.put({"downloads.cookies_at": utcnow().isoformat()}, actor=actor)
    return None


def remove(*, actor) -> bool:
    """Delete the stored cookies file; True when there was one."""
    path = _path()
    existed = path.is_file()
    path.unlink(missing_ok=True)
    settings.put({"downloads.cookies_at": ""}, actor=actor)
    return existed
