"""Processing an upload once every byte is here: an RQ job per file, with live progress.

The job claims the row (a lease in due_at), reads the file with ffprobe, moves it to its place
under originals, makes the poster, the scrub strip and the preview (and converts it when asked),
and marks it ready. A refusal (not media, damaged, too short) fails it at once with the reason;
a job that dies is brought back by the sweeper when its lease runs out, at most MAX_ATTEMPTS
times. Outputs are renamed into place, so a re-run overwrites rather than duplicates.
"""

import errno
import logging
import os
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import and_, or_, select, update

from app import settings
from app.after_commit import after_commit
from app.extensions import db
from app.jobs import enqueue
from app.models.base import utcnow
from app.models.uploads import AUDIO, FAILED, PROCESSING, READY, UPLOADED, VIDEO, Upload
from app.notifications.services import subject_of
from app.notify.outbox import emit
from app.realtime.events import publish
from app.uploads import media, renditions, storage

log = logging.getLogger(__name__)

JOB = "app.uploads.processing.process_upload"
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
CONVERTING = "converting"  # the name part of a conversion not yet in place


def job_id(upload_id: int) -> str:
    return f"process-upload-{upload_id}"


def request_processing(row: Upload) -> None:
    """Every byte is here: processing is due, and starts once the caller commits."""
    row.state, row.progress, row.due_at = UPLOADED, 0, None
    if row.id is None:
        db.session.flush()
    upload_id = row.id
    after_commit(lambda: _start(upload_id))


def _start(upload_id: int) -> bool:
    try:
        enqueue(
            JOB, upload_id, job_id=job_id(upload_id), job_timeout=int(renditions.CONVERT_SECONDS)
        )
    except RedisError as exc:  # the row says it is due: the sweeper starts it later
        log.warning("Could not queue processing of upload %s: %s", upload_id, exc)
        return False
    return True


def _due():
    expired = and_(Upload.state == PROCESSING, Upload.due_at < utcnow())
    return or_(Upload.state == UPLOADED, expired)


def sweep() -> int:
    """Start processing of uploads no job took, and of those whose job died (the sweeper)."""
    due = db.session.scalars(select(Upload.id).where(_due()).order_by(Upload.id).limit(200)).all()
    db.session.rollback()
    return sum(_start(upload_id) for upload_id in due)


def _claim(upload_id: int) -> Upload | None:
    taken = db.session.execute(
        update(Upload)
        .where(Upload.id == upload_id, _due())
        .values(
            state=PROCESSING,
            attempts=Upload.attempts + 1,
            due_at=utcnow() + LEASE,
            progress=0,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.get(Upload, upload_id)


def process_upload(upload_id: int) -> str:
    """Read, move and process one upload; returns its state afterwards."""
    row = _claim(upload_id)
    if row is None:
        db.session.rollback()
        return "skipped"
    if row.attempts > MAX_ATTEMPTS:
        return _fail(row, "Processing stopped three times before it finished; upload it again.")
    try:
        _process(row)
    except media.Refused as exc:
        return _fail(row, str(exc))
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        return _fail(row, "The server's disk filled up while processing it; upload it again.")
    return READY


def _source(row: Upload):
    """The file to read: the bytes as they arrived, or (on a re-run) where they were moved."""
    part = storage.part_path(row.key)
    if part.exists() or not row.container:
        return part
    return storage.original_path(row)


def _process(row: Upload) -> None:
    source = _source(row)
    if not source.exists():
        raise media.Refused("The uploaded file is gone; upload it again.")
    _remove_leftovers(row)
    found = media.probe(source)
    if isinstance(found, media.Refusal):
        raise media.Refused(found.reason)
    # The row names the new place before the file moves there: a re-run finds one or the other.
    row.container = found.container
    _remember(row, found)
    _step(row, 10)
    original = storage.original_path(row)
    if source != original:
        os.replace(source, original)
    _derive(row, original, found)
    replaced = None
    if (
        found.kind == VIDEO
        and settings.get("uploads.convert")
        and renditions.needs_conversion(found)
    ):
        replaced = _convert(row, original)
    row.state, row.progress, row.due_at, row.error = READY, 100, None, ""
    row.title = row.title or _stem(row.filename)
    row.updated_at = utcnow()
    tell(row, "upload.ready", f"Ready: {row.title}", "Processed; you can send it to Plex now.")
    if replaced is not None:  # only now does the row name the converted file
        replaced.unlink(missing_ok=True)


def _remove_leftovers(row: Upload) -> None:
    """What a killed run left half-written; a re-run makes it again under its final name."""
    found = list(storage.derived_path(row.key, storage.DERIVED[0]).parent.glob("*.tmp*"))
    if row.container:  # a conversion starts only once the row names the original
        found += storage.original_path(row).parent.glob(f"{row.key}.{CONVERTING}*")
    for leftover in found:
        leftover.unlink(missing_ok=True)


def _derive(row: Upload, original, found: media.Probe) -> None:
    if found.kind == AUDIO:
        return
    made = {"poster.jpg": renditions.poster(original, _out(row, "poster.jpg"), found.duration)}
    _step(row, 45)
    if found.kind == VIDEO:
        made["scrub.jpg"] = renditions.scrub(original, _out(row, "scrub.jpg"), found.duration)
        _step(row, 70)
        made["preview.mp4"] = renditions.preview(original, _out(row, "preview.mp4"), found.duration)
        _step(row, 90)
    missing = [name for name, ok in made.items() if not ok]
    if missing:  # the upload still works without them; its page shows a plain tile
        log.warning("Upload %s: could not make %s", row.id, ", ".join(missing))


def _out(row: Upload, name: str):
    return storage.derived_path(row.key, name)


def _convert(row: Upload, original):
    """Re-encode to MP4 in place of the original; returns the file to remove after commit."""
    row.due_at = utcnow() + timedelta(seconds=renditions.CONVERT_SECONDS)  # it may take hours
    db.session.commit()
    converted = original.with_name(f"{row.key}.{CONVERTING}.mp4")
    if not renditions.convert(original, converted):
        log.warning("Upload %s could not be converted; Plex converts it as it plays", row.id)
        return None
    row.container, row.converted = "mp4", True
    os.replace(converted, storage.original_path(row))
    return original if original != storage.original_path(row) else None


def _remember(row: Upload, found: media.Probe) -> None:
    row.kind, row.duration = found.kind, found.duration
    row.width, row.height = found.width, found.height
    row.video_codec, row.audio_codec = found.video_codec, found.audio_codec
    row.taken_at, row.camera = found.taken_at, found.camera


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0] if "." in filename[1:] else filename


def _step(row: Upload, progress: int) -> None:
    """Commit the progress and tell the open pages; the lease is renewed with it."""
    row.progress, row.due_at, row.updated_at = progress, utcnow() + LEASE, utcnow()
    db.session.commit()
    announce(row)


def _fail(row: Upload, words: str) -> str:
    """Failed for good: the reason kept, the bytes and anything made from them removed."""
    db.session.rollback()
    row = db.session.get(Upload, row.id)
    if row is None:  # deleted meanwhile, with its files
        return "gone"
    _remove_leftovers(row)
    storage.remove_files(row)
    row.state, row.error, row.due_at, row.progress = FAILED, words[:2000], None, 0
    row.updated_at = utcnow()
    tell(row, "upload.failed", f"Upload failed: {row.filename}", words)
    log.info("Upload %s failed: %s", row.id, words)
    return FAILED


def event(row: Upload) -> dict:
    return {
        "type": "upload.changed",
        "key": row.key,
        "state": row.state,
        "progress": row.progress,
        "error": row.error,
    }


def announce(row: Upload) -> None:
    """Open pages of the owner and admins redraw the upload now."""
    publish(event(row), user_ids=[row.user_id], admins=True)


def announce_after_commit(row: Upload) -> None:
    """Open pages of the owner and admins redraw the upload once the change is committed."""
    payload, owner = event(row), row.user_id
    after_commit(lambda: publish(payload, user_ids=[owner], admins=True))


def tell(row: Upload, kind: str, title: str, words: str) -> None:
    """Tell the owner (a notification the outbox delivers) and open pages, and commit."""
    level = "error" if kind == "upload.failed" else "success"
    link, subject = f"/uploads/{row.key}", subject_of("upload", row.id)
    emit(
        kind,
        title,
        words,
        user_ids=[row.user_id],
        level=level,
        link=link,
        subject=subject,
        commit=False,
    )
    announce_after_commit(row)
    db.session.commit()
