"""A restore from Admin → Backups, while MediaNest runs.

The web request checks the passphrase against the archive, puts the site in maintenance and
queues the job; the job pauses the other workers, waits until they are idle, restores (the same
steps as the restore command) and lets everything go again. What happened is kept in Redis,
since the database it would be written to is the one being replaced.
"""

import json
import logging
import tempfile
import time
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from rq import Worker, get_current_job
from rq.suspension import resume, suspend

from app import audit
from app.backups import bucket as target
from app.backups import dumps, maintenance, services
from app.backups import restore as restoring
from app.backups.sealed import SealedReader, SealError
from app.crypto import SecretUnreadable, decrypt, encrypt
from app.extensions import db, redis_conn
from app.jobs import enqueue
from app.models.backups import DONE, UPLOADED, Backup
from app.models.base import utcnow
from app.notify.outbox import emit

log = logging.getLogger(__name__)

JOB = "app.backups.admin_restore.run_restore"
LAST = "medianest:restore:last"  # JSON: what the last restore from Admin did
IDLE_WAIT = 120  # seconds the other workers have to finish what they run


class RestoreRefused(Exception):
    """A restore cannot start; the message says why; nothing was changed."""


def available(row: Backup) -> bool:
    return row.status == DONE or row.bucket_status == UPLOADED


def start(row: Backup, typed: str, actor: str) -> None:
    """Check the passphrase on the archive, then go into maintenance and queue the job."""
    if not available(row):
        raise RestoreRefused("That backup's file is gone: there is nothing to restore.")
    if restoring.running_workers() == 0:
        raise RestoreRefused(
            "No worker is running to restore it: start MediaNest's worker, or stop MediaNest "
            "and use the restore command."
        )
    secret = typed or services.passphrase()
    path = services.path_of(row)
    if path.is_file():  # a copy only in the bucket is checked once fetched, by the job
        try:
            with path.open("rb") as source:
                SealedReader(source, secret)
        except SealError as exc:
            raise RestoreRefused(f"{exc} Nothing was replaced.") from exc
    when = row.created_at.strftime("%Y-%m-%d %H:%M UTC")
    maintenance.begin(f"the backup of {when}")
    try:
        # The passphrase travels sealed with this server's key, and the job keeps no result.
        enqueue(JOB, row.id, encrypt(secret), actor, job_timeout=3600, result_ttl=0)
    except RedisError as exc:
        maintenance.end()
        raise RestoreRefused(f"The restore could not be queued: {exc}") from exc


def last() -> dict | None:
    try:
        raw = redis_conn().get(LAST)
        return json.loads(raw) if raw else None
    except (RedisError, ValueError):
        return None


def _remember(ok: bool, words: str, actor: str) -> None:
    state = {"ok": ok, "words": words, "by": actor, "at": utcnow().isoformat(timespec="seconds")}
    redis_conn().set(LAST, json.dumps(state), ex=7 * 86400)


def _wait_for_other_workers() -> None:
    """Pause every worker; wait until none but this job's own is busy."""
    connection = redis_conn()
    suspend(connection)
    me = get_current_job()
    deadline = time.monotonic() + IDLE_WAIT
    while time.monotonic() < deadline:
        busy = [
            w
            for w in Worker.all(connection=connection)
            if w.get_state() == "busy" and (me is None or w.get_current_job_id() != me.id)
        ]
        if not busy:
            return
        maintenance.extend()
        time.sleep(0.5)
    raise RestoreRefused("Other work did not finish within two minutes; try again later.")


def _local_copy(row: Backup, work: Path) -> Path:
    path = services.path_of(row)
    if path.is_file():
        return path
    found = target.configured()
    if found is None or row.bucket_status != UPLOADED:
        raise RestoreRefused("That backup's file is gone: there is nothing to restore.")
    fetched = work / row.filename
    size, chunks = target.stream(found, row.bucket_key)
    with fetched.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return fetched


def run_restore(backup_id: int, sealed_secret: str, actor: str) -> str:
    """The job: restore one registered backup over the running MediaNest."""
    plan = None
    try:
        secret = decrypt(sealed_secret)
        row = db.session.get(Backup, backup_id)
        if row is None:
            raise RestoreRefused("That backup is no longer in the registry.")
        filename = row.filename
        time.sleep(maintenance.RECHECK)  # every web process has seen the maintenance by now
        _wait_for_other_workers()
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=current_app.config["DATA_DIR"]) as w:
            plan = restoring.plan(_local_copy(row, Path(w)), secret)
            restoring.apply(plan, workers_paused=True)
        words = f"Restored {filename}: " + " ".join(plan.lines[:1])
        audit.record("backup.restored", target=filename, details={"by": actor}, commit=False)
        db.session.commit()
        _remember(True, words, actor)
        return "restored"
    except (
        RestoreRefused,
        restoring.RestoreRefused,
        SealError,
        SecretUnreadable,
        dumps.DumpError,
        target.BucketError,
        OSError,
    ) as exc:
        db.session.rollback()
        words = f"The restore did not happen: {exc}"
        _remember(False, words, actor)
        emit("backup.failed", "Restore failed", words, link="/admin/backups", level="error")
        log.warning("Restore of backup %s failed: %s", backup_id, exc)
        return "failed"
    finally:
        if plan is not None:
            restoring.done(plan)
        resume(redis_conn())
        maintenance.end()
