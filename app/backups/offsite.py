"""Copies of backups in the bucket: sent after the local backup, checked, retried, pruned.

A copy is a state on the backup's row first ("pending"), then a job. The local file stays until
its copy is in the bucket, however the local retention counts; a bucket that cannot be reached
is tried again later (BACKOFF) and admins are told once, then again if it never worked.
"""

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import or_, select, update

from app import settings
from app.backups import bucket as target
from app.backups.services import _tell_failed, path_of, prune, to_keep
from app.extensions import db
from app.jobs import enqueue
from app.models.backups import DONE, FAILED, PENDING, REMOVED, UPLOADED, UPLOADING, Backup
from app.models.base import utcnow

log = logging.getLogger(__name__)

JOB = "app.backups.offsite.run_upload"
LEASE = timedelta(hours=2)
# Minutes to wait after each failed try; after the last one the copy is given up.
BACKOFF = (1, 5, 15, 30, 60, 120, 240)


def queue_upload(row: Backup) -> None:
    """Mark a finished backup for the bucket, if one is set up, and start sending it."""
    if target.configured() is None:
        return
    row.bucket_status, row.bucket_attempts, row.bucket_error = PENDING, 0, ""
    row.bucket_next_at = utcnow()
    db.session.commit()
    _start(row.id)


def _start(backup_id: int) -> None:
    try:
        enqueue(JOB, backup_id, job_id=f"backup-copy-{backup_id}", job_timeout=7200)
    except RedisError as exc:  # the row is pending: the sweeper starts it
        log.warning("Could not queue the bucket copy of backup %s: %s", backup_id, exc)


def sweep_uploads() -> int:
    """Start copies whose next try is due, and take back those whose worker died."""
    now = utcnow()
    due = db.session.scalars(
        select(Backup.id).where(
            Backup.bucket_status.in_((PENDING, UPLOADING)), Backup.bucket_next_at < now
        )
    ).all()
    for backup_id in due:
        _start(backup_id)
    return len(due)


def _claim(backup_id: int) -> Backup | None:
    now = utcnow()
    taken = db.session.execute(
        update(Backup)
        .where(
            Backup.id == backup_id,
            Backup.bucket_status.in_((PENDING, UPLOADING)),
            or_(Backup.bucket_next_at.is_(None), Backup.bucket_next_at <= now),
        )
        .values(bucket_status=UPLOADING, bucket_next_at=now + LEASE)
    ).rowcount
    db.session.commit()
    return db.session.get(Backup, backup_id) if taken else None


def run_upload(backup_id: int) -> str:
    """The job: send one backup's file to the bucket and read its checksum back; safe twice."""
    row = _claim(backup_id)
    if row is None:
        return "skipped"
    bucket = target.configured()
    if bucket is None:
        row.bucket_status, row.bucket_error = None, ""
        db.session.commit()
        return "no bucket"
    key = bucket.key_for(row.filename)
    try:
        path = path_of(row)
        if not path.is_file():
            raise target.BucketError("Its local file is gone, so it cannot be sent.")
        target.put(bucket, path, key)
        if target.checksum(bucket, key) != row.sha256:
            raise target.BucketError("The checksum read back from the bucket does not match.")
    except (target.BucketError, FileNotFoundError, OSError) as exc:
        return _failed(row, bucket, str(exc))
    row.bucket_status, row.bucket_key, row.bucket_error = UPLOADED, key, ""
    row.bucket_at, row.bucket_next_at = utcnow(), None
    db.session.commit()
    prune_bucket()
    prune(keep=waiting_for_bucket())  # the local retention may let this file go now
    return "uploaded"


def _failed(row: Backup, bucket: target.Bucket, words: str) -> str:
    tries = row.bucket_attempts + 1
    row.bucket_attempts, row.bucket_error = tries, words
    if tries <= len(BACKOFF):
        wait = timedelta(minutes=BACKOFF[tries - 1])
        row.bucket_status, row.bucket_next_at = PENDING, utcnow() + wait
        if tries == 1:
            _tell_failed(row, f"{bucket.where}: {words} The local copy is kept; tried again soon.")
        db.session.commit()
        return "retry"
    row.bucket_status, row.bucket_next_at = FAILED, None
    gave_up = f"Gave up after {tries} tries; the local copy is kept."
    _tell_failed(row, f"{bucket.where}: {words} {gave_up}")
    db.session.commit()
    return "failed"


def send_again(row: Backup) -> bool:
    """An admin's "try again" for a copy that was given up (or a backup from before the bucket)."""
    if target.configured() is None or row.filename == "" or row.status != DONE:
        return False
    if row.bucket_status in (PENDING, UPLOADING, UPLOADED):
        return False
    queue_upload(row)
    return True


def bucket_keep_counts() -> tuple[int, int, int]:
    return tuple(
        max(0, int(settings.get(f"backup.s3_keep_{name}")))
        for name in ("daily", "weekly", "monthly")
    )


def prune_bucket() -> int:
    """Remove copies the bucket's retention no longer keeps; returns how many went."""
    bucket = target.configured()
    if bucket is None:
        return 0
    rows = list(
        db.session.scalars(
            select(Backup)
            .where(Backup.bucket_status == UPLOADED)
            .order_by(Backup.created_at.desc(), Backup.id.desc())
        )
    )
    kept, gone = to_keep(rows, *bucket_keep_counts()), 0
    for row in rows:
        if row.id in kept:
            continue
        try:
            target.delete(bucket, row.bucket_key)
        except target.BucketError as exc:
            log.warning("Could not remove %s from the bucket: %s", row.bucket_key, exc)
            continue
        row.bucket_status, gone = REMOVED, gone + 1
    db.session.commit()
    return gone


def waiting_for_bucket() -> set[int]:
    """Backups whose local file must stay: their copy is not in the bucket yet."""
    return set(
        db.session.scalars(select(Backup.id).where(Backup.bucket_status.in_((PENDING, UPLOADING))))
    )
