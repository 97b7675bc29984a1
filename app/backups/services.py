"""Making backups, proving them, keeping the right number of them.

A backup is a registry row first ("queued"), then a job: it takes the row with a lease, writes
the sealed archive (archive.py), re-reads its checksum from where it was written, opens it with
the passphrase and restores its database into a scratch database whose row counts must match
the source's. A failure is tried once more, then admins are told.
"""

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import or_, select, update

from app import settings
from app.after_commit import after_commit
from app.backups import archive, dumps
from app.backups.sealed import SealError
from app.extensions import db
from app.jobs import enqueue
from app.models.backups import (
    DONE,
    FAILED,
    NOT_VERIFIED,
    QUEUED,
    REMOVED,
    RUNNING,
    VERIFIED,
    Backup,
)
from app.models.base import utcnow
from app.notify.outbox import emit

log = logging.getLogger(__name__)

JOB = "app.backups.services.run_backup"
LEASE = timedelta(hours=2)
MAX_ATTEMPTS = 2  # a failed backup is tried once more
NO_PASSPHRASE = "Set a backup passphrase under Admin → Backups (or MEDIANEST_BACKUP_PASSPHRASE)."


class BackupRefused(Exception):
    """A backup cannot start; the message says why."""


def backup_dir() -> Path:
    configured = current_app.config.get("BACKUP_DIR") or ""
    return Path(configured or Path(current_app.config["DATA_DIR"]) / "backups").expanduser()


def passphrase() -> str:
    return current_app.config.get("BACKUP_PASSPHRASE") or settings.get("backup.passphrase") or ""


def passphrase_from_environment() -> bool:
    return bool(current_app.config.get("BACKUP_PASSPHRASE"))


# -- asking for one ----------------------------------------------------------------------------


def in_progress() -> Backup | None:
    return db.session.scalars(
        select(Backup).where(Backup.status.in_((QUEUED, RUNNING))).order_by(Backup.id)
    ).first()


def request_backup(trigger: str, requested_by: str = "") -> Backup:
    """The registry row for a new backup, queued to run after commit; one waiting or running
    already is returned instead, so two clicks make one backup."""
    if not passphrase():
        raise BackupRefused(NO_PASSPHRASE)
    waiting = in_progress()
    if waiting is not None:
        return waiting
    row = Backup(status=QUEUED, trigger=trigger, requested_by=requested_by[:64])
    db.session.add(row)
    db.session.flush()
    backup_id = row.id
    after_commit(lambda: _start(backup_id))
    return row


def _start(backup_id: int) -> None:
    try:
        enqueue(
            JOB, backup_id, job_id=f"backup-{backup_id}", job_timeout=int(LEASE.total_seconds())
        )
    except RedisError as exc:  # the row is queued: the sweeper starts it
        log.warning("Could not queue backup %s: %s", backup_id, exc)


def scheduled_backup() -> str:
    """Daily at 02:00 (RQ cron): a backup, unless switched off or no passphrase is set."""
    if not settings.get("backup.enabled"):
        return "off"
    if not passphrase():
        _tell_failed(None, NO_PASSPHRASE)
        return "no passphrase"
    row = request_backup("schedule")
    db.session.commit()
    return f"backup {row.id}"


def sweep() -> int:
    """Start queued backups no job took, and take back those whose worker died."""
    now = utcnow()
    stale = db.session.scalars(
        select(Backup.id).where(
            or_(
                (Backup.status == QUEUED) & (Backup.created_at < now - timedelta(minutes=1)),
                (Backup.status == RUNNING) & (Backup.lease_until < now),
            )
        )
    ).all()
    for backup_id in stale:
        _start(backup_id)
    from app.backups import offsite  # it builds on this module

    return len(stale) + offsite.sweep_uploads()


# -- making one --------------------------------------------------------------------------------


def _claim(backup_id: int) -> Backup | None:
    now = utcnow()
    taken = db.session.execute(
        update(Backup)
        .where(
            Backup.id == backup_id,
            or_(Backup.status == QUEUED, (Backup.status == RUNNING) & (Backup.lease_until < now)),
        )
        .values(status=RUNNING, lease_until=now + LEASE, attempts=Backup.attempts + 1)
    ).rowcount
    db.session.commit()
    return db.session.get(Backup, backup_id) if taken else None


def run_backup(backup_id: int) -> str:
    """The job: make, check and register one backup; safe to run twice."""
    row = _claim(backup_id)
    if row is None:
        return "skipped"
    return make(row, passphrase(), retry=True)


def start_now(trigger: str, requested_by: str = "") -> Backup:
    """A registry row already taken by the caller, which makes the backup itself (the CLI)."""
    row = Backup(status=RUNNING, trigger=trigger, requested_by=requested_by[:64], attempts=1)
    row.lease_until = utcnow() + LEASE
    db.session.add(row)
    db.session.commit()
    return row


def make(row: Backup, secret: str, *, retry: bool) -> str:
    """Write the archive for a taken row, register it, verify it and prune; "done", "retry"
    (queued once more) or "failed" (admins told)."""
    backup_id = row.id
    # Named before the dump, so the copy of this row inside the backup knows its own file.
    row.filename = archive.file_name(backup_id)
    db.session.commit()
    try:
        if not secret:
            raise BackupRefused(NO_PASSPHRASE)
        made = archive.make(
            backup_dir(),
            row.filename,
            secret,
            Path(current_app.config["DATA_DIR"]),
            {"trigger": row.trigger},
        )
    except (BackupRefused, dumps.DumpError, OSError) as exc:
        db.session.rollback()
        return _failed(db.session.get(Backup, backup_id), _words(exc), retry=retry)
    row.filename, row.size, row.sha256 = made.path.name, made.size, made.sha256
    row.database, row.schema = made.manifest["database"], made.manifest["schema"]
    row.rows = sum(made.manifest["rows"].values())
    row.status, row.error, row.finished_at, row.lease_until = DONE, "", utcnow(), None
    _write_sidecar(made)
    db.session.commit()
    verify(row, secret)
    from app.backups import offsite  # it builds on this module

    offsite.queue_upload(row)
    prune(keep=offsite.waiting_for_bucket())
    return "done"


def _words(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.errno == 28:
        return f"The disk of {backup_dir()} is full: free some space; the partial file was removed."
    if isinstance(exc, OSError):
        return f"MediaNest could not write to {backup_dir()}: {exc.strerror or exc}."
    return str(exc)


def _write_sidecar(made: archive.Made) -> None:
    """name.sha256 beside the archive, in the form `sha256sum -c` reads."""
    try:
        made.path.with_name(made.path.name + ".sha256").write_text(
            f"{made.sha256}  {made.path.name}\n"
        )
    except OSError as exc:
        log.warning("Could not write the checksum file of %s: %s", made.path.name, exc)


def _failed(row: Backup, words: str, *, retry: bool) -> str:
    row.error, row.lease_until = words, None
    if retry and row.attempts < MAX_ATTEMPTS:
        row.status = QUEUED
        db.session.commit()
        backup_id = row.id
        _start(backup_id)
        log.warning("Backup %s failed, trying once more: %s", row.id, words)
        return "retry"
    row.status, row.finished_at = FAILED, utcnow()
    _tell_failed(row, words)
    db.session.commit()
    return "failed"


def _tell_failed(row: Backup | None, words: str) -> None:
    emit(
        "backup.failed",
        "Backup failed",
        words,
        link="/admin/backups",
        level="error",
        subject=f"backup:{row.id}" if row is not None else "backup:setup",
        commit=row is None,
    )


# -- proving one --------------------------------------------------------------------------------


def path_of(row: Backup) -> Path:
    """Where a registered backup's file is: our folder and the name we gave it, never a path
    anyone typed."""
    if not row.filename or "/" in row.filename or not row.filename.endswith(archive.SUFFIX):
        raise FileNotFoundError(row.filename)
    return backup_dir() / row.filename


def verify(row: Backup, secret: str) -> bool:
    """Re-read the checksum from the file, open it, and restore its database into a scratch
    database whose row counts must match what was backed up."""
    ok, detail = _check(row, secret)
    row.verified, row.verify_detail = (VERIFIED if ok else NOT_VERIFIED), detail
    if not ok:
        _tell_failed(row, f"Backup {row.filename} did not verify: {detail}")
    db.session.commit()
    return ok


def _check(row: Backup, secret: str) -> tuple[bool, str]:
    try:
        path = path_of(row)
        if archive.checksum(path) != row.sha256:
            return False, "Its checksum read back from the disk does not match."
        with tempfile.TemporaryDirectory(prefix=".verify-", dir=path.parent) as work:
            manifest = archive.open_into(path, secret, Path(work))
            found = dumps.scratch_counts(Path(work) / manifest["dump"], manifest["dump"])
    except FileNotFoundError:
        return False, "Its file is missing."
    except (SealError, dumps.DumpError) as exc:
        return False, str(exc)
    except OSError as exc:
        return False, f"It could not be read back: {exc.strerror or exc}."
    expected = manifest["rows"]
    differing = sorted(t for t in set(expected) | set(found) if expected.get(t) != found.get(t))
    if differing:
        return False, "Restored, but rows differ in " + ", ".join(differing[:5]) + "."
    total = sum(found.values())
    return True, f"Restored into a scratch database: {total:,} rows in {len(found)} tables match."


# -- keeping the right ones -----------------------------------------------------------------------


def keep_counts() -> tuple[int, int, int]:
    return tuple(
        max(0, int(settings.get(f"backup.keep_{name}"))) for name in ("daily", "weekly", "monthly")
    )


def to_keep(rows: list[Backup], daily: int, weekly: int, monthly: int) -> set[int]:
    """The newest backup of each of the last `daily` days, `weekly` weeks and `monthly` months
    that have one (rows newest first); the newest backup is always kept."""
    kept: set[int] = {rows[0].id} if rows else set()
    for count, period in (
        (daily, lambda r: r.created_at.date()),
        (weekly, lambda r: tuple(r.created_at.isocalendar())[:2]),
        (monthly, lambda r: (r.created_at.year, r.created_at.month)),
    ):
        seen: list = []
        for row in rows:
            key = period(row)
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                kept.add(row.id)
    return kept


def prune(keep: set[int] = frozenset()) -> int:
    """Remove finished backups the retention no longer keeps (nor `keep` names: their copy is
    not in the bucket yet); returns how many went."""
    rows = list(
        db.session.scalars(
            select(Backup)
            .where(Backup.status == DONE, Backup.target == "local")
            .order_by(Backup.created_at.desc(), Backup.id.desc())
        )
    )
    kept = to_keep(rows, *keep_counts()) | keep
    gone = 0
    for row in rows:
        if row.id in kept:
            continue
        try:
            path = path_of(row)
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".sha256").unlink(missing_ok=True)
        except (FileNotFoundError, OSError) as exc:
            log.warning("Could not remove backup %s: %s", row.filename, exc)
            continue
        row.status, gone = REMOVED, gone + 1
    db.session.commit()
    return gone


def reconcile_files() -> int:
    """After a restore the registry is the backup's own: a backup it saw under way is done if
    its file is whole, else it was cut short; files made since are registered again."""
    folder, fixed = backup_dir(), 0
    for row in db.session.scalars(select(Backup).where(Backup.status.in_((QUEUED, RUNNING)))):
        path = folder / row.filename if row.filename else None
        if path is not None and path.is_file():
            row.size, row.sha256, row.status = path.stat().st_size, archive.checksum(path), DONE
        else:
            row.status, row.error = FAILED, "Cut short: a restore replaced the database."
        row.lease_until, row.finished_at, fixed = None, row.finished_at or utcnow(), fixed + 1
    known = set(db.session.scalars(select(Backup.filename)))
    for path in sorted(folder.glob(f"*{archive.SUFFIX}")) if folder.is_dir() else []:
        if path.name not in known:
            db.session.add(
                Backup(
                    status=DONE,
                    trigger="found",
                    filename=path.name,
                    size=path.stat().st_size,
                    sha256=archive.checksum(path),
                    finished_at=utcnow(),
                )
            )
            fixed += 1
    db.session.commit()
    return fixed


def listing(limit: int = 100) -> list[Backup]:
    return list(db.session.scalars(select(Backup).order_by(Backup.id.desc()).limit(limit)))
