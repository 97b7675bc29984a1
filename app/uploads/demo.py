"""Demo mode: a few home videos uploaded once by a demo friend, so a newcomer finds Uploads
filled in: one processed and in Plex, one ready to send, one refused with its reason. They go
through the real processing and Plex steps; only the files are made here, by ffmpeg."""

import logging
import subprocess
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.models.uploads import READY, UPLOADED, Upload
from app.uploads import placing, processing, storage

log = logging.getLogger(__name__)

CLIPS = [
    ("Beach day.mp4", "testsrc2", "2024-07-14T10:30:00Z", ("Beach day", date(2024, 7, 14))),
    ("Birthday cake.mp4", "smptebars", "2025-03-02T16:05:00Z", None),
]


def _clip(path, source: str, taken: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"]
        + [f"{source}=s=640x360:d=12:r=24", "-f", "lavfi", "-i", "sine=f=330:d=12"]
        + ["-c:v", "libx264", "-preset", "veryfast", "-g", "48", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-shortest", "-metadata", f"creation_time={taken}", "-f", "mp4"]
        + [str(path)],
        check=True,
        timeout=120,
    )


def _arrived(user: User, name: str) -> Upload:
    row = Upload(key=storage.new_key(), user_id=user.id, filename=name, size=1, state=UPLOADED)
    return row


def seed_once() -> bool:
    if not current_app.config.get("DEMO") or db.session.scalar(select(func.count(Upload.id))):
        return False
    friend = db.session.scalars(
        select(User)
        .where(User.is_owner.is_(False), User.disabled.is_(False), User.pending.is_(False))
        .order_by(User.id)
    ).first()
    if friend is None:
        return False
    try:
        _seed(friend)
    except Exception:  # a demo without sample uploads is still a demo
        db.session.rollback()
        log.exception("Could not seed demo mode's uploads")
        return False
    return True


def _seed(friend: User) -> None:
    for name, source, taken, to_plex in CLIPS:
        row = _arrived(friend, name)
        _clip(storage.part_path(row.key), source, taken)
        row.size = storage.received(row.key)
        db.session.add(row)
        db.session.commit()
        if processing.process_upload(row.id) == READY and to_plex:
            row = db.session.get(Upload, row.id)
            placing.choose(row, *to_plex, "Holidays")
            db.session.commit()
    refused = _arrived(friend, "Holiday photos.mp4")
    storage.part_path(refused.key).write_bytes(b"PK\x03\x04 not a video at all\n" * 40)
    refused.size = storage.received(refused.key)
    db.session.add(refused)
    db.session.commit()
    processing.process_upload(refused.id)
