"""The "Send to Plex" form: title, date and collection, prefilled from what processing read."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models.uploads import Upload
from app.uploads import placing

TITLE_LIMIT = 200
COLLECTION_LIMIT = 100
EARLIEST = date(1900, 1, 1)


@dataclass
class PlexChoice:
    title: str = ""
    when: date | None = None
    collection: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def prefilled(row: Upload) -> dict:
    """What the form shows first: the file's own title and date, the person's last collection."""
    stem = row.filename.rsplit(".", 1)[0] if "." in row.filename else row.filename
    taken = row.taken_at or row.created_at
    last = db.session.scalar(
        select(Upload.collection)
        .where(Upload.user_id == row.user_id, Upload.collection != "")
        .order_by(Upload.updated_at.desc())
        .limit(1)
    )
    return {
        "title": row.title or stem,
        "date": taken.date().isoformat() if taken else "",
        "collection": row.collection or last or placing.DEFAULT_COLLECTION,
    }


def _text(form, name: str, limit: int, errors: dict, empty: str) -> str:
    raw = form.get(name)
    raw = raw if isinstance(raw, str) else ""
    cleaned = placing.name_part(raw, limit * 4)
    if not raw.strip():
        errors[name] = empty
    elif len(raw) > limit or not raw.isprintable():
        errors[name] = f"At most {limit} characters, without control characters."
    elif not cleaned:
        errors[name] = "Use letters or numbers: that name is only symbols a folder cannot have."
    return cleaned[:limit]


def read(form) -> PlexChoice:
    """The person's choice, checked; errors in words, by field."""
    choice = PlexChoice()
    errors = choice.errors
    choice.title = _text(form, "title", TITLE_LIMIT, errors, "Give the video a title.")
    choice.collection = _text(
        form, "collection", COLLECTION_LIMIT, errors, "Name the collection it goes in."
    )
    raw = form.get("date")
    raw = raw.strip() if isinstance(raw, str) else ""
    try:
        choice.when = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        choice.when = None
    if choice.when is None:
        errors["date"] = "Enter the date as YYYY-MM-DD."
    elif not EARLIEST <= choice.when <= date.today():
        errors["date"] = f"Enter a date from {EARLIEST.year} to today."
    return choice
