"""Landing finished videos in Plex: a path-scoped scan, then the playlist's collection.

publish_download(download_id) is an RQ job started by request_publish (after the caller's
commit) and by sweep_publish for rows whose Plex step is due; it is safe to run twice and
reschedules itself through Download.plex_due_at. Plex scans in the background, so after asking
for a scan the job looks for the episodes for a few seconds, then every POLL_SECONDS until
POLL_WINDOW has passed; only then, or when Plex does not answer, does a try count as failed.
Failed tries back off (PLEX_SCAN_RETRY_SECONDS, doubling, at most 30 minutes); the files stay
where they are, and after MAX_ATTEMPTS the admins are told.
"""

import logging
import time
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import or_, select, update

from app import settings
from app.after_commit import after_commit
from app.downloads import setup
from app.extensions import db, redis_conn
from app.integrations import plex_library
from app.integrations.plex_server import PlexServerError
from app.jobs import enqueue
from app.models import Download, DownloadItem, DownloadWatcher
from app.models.base import utcnow
from app.models.downloads import FINISHED
from app.notifications.services import subject_of
from app.notify.outbox import emit
from app.realtime.events import publish

log = logging.getLogger(__name__)

WAITING, DONE, FAILED = "waiting", "done", "failed"
JOB = "app.downloads.plex_publish.publish_download"
MAX_ATTEMPTS = 10
MAX_BACKOFF = 30 * 60  # seconds
POLL_SECONDS = 5  # between looks for the episodes while Plex scans
POLL_WINDOW = 120  # seconds of looking after a scan before the try counts as failed
POLL_IN_JOB = 6  # seconds the job itself looks before it leaves the rest to the sweeper
LEASE = timedelta(minutes=5)  # a claimed row is this job's for so long, should the worker die
SWEEP_BATCH = 500
# When this download's scan was asked for (Redis): losing it only means one more scan.
SCAN_KEY = "medianest:downloads:plex-scan:{}"


def job_id(download_id: int) -> str:
    return f"publish-download-{download_id}"


def request_publish(download: Download) -> None:
    """Make the download's Plex step due now; the job starts once the caller commits."""
    if download.plex_state != WAITING:
        download.plex_attempts, download.plex_error = 0, None
    download.plex_state, download.plex_due_at = WAITING, utcnow()
    if download.id is None:
        db.session.flush()
    download_id = download.id
    after_commit(lambda: _start(download_id))


def _start(download_id: int) -> bool:
    try:
        enqueue(JOB, download_id, job_id=job_id(download_id), job_timeout=300)
    except RedisError as exc:  # the row is due: the sweeper starts it later
        log.warning("Could not queue the Plex step of download %s: %s", download_id, exc)
        return False
    return True


def sweep_publish() -> int:
    """Start publish jobs for downloads whose Plex step is due (called by the sweeper)."""
    due = db.session.scalars(
        select(Download.id)
        .where(
            Download.plex_state == WAITING,
            or_(Download.plex_due_at.is_(None), Download.plex_due_at <= utcnow()),
        )
        .order_by(Download.plex_due_at)
        .limit(SWEEP_BATCH)
    ).all()
    db.session.rollback()
    return sum(_start(download_id) for download_id in due)


def _claim(download_id: int) -> tuple[Download, datetime] | None:
    """The waiting, due row with its lease; None when it is done, not due, or another job's."""
    download = db.session.get(Download, download_id)
    if download is None or download.plex_state != WAITING:
        return None
    seen = download.plex_due_at
    if seen is not None and seen > utcnow() + timedelta(seconds=1):
        return None  # a retry that is not due yet: the sweeper brings it back
    same_due = Download.plex_due_at.is_(None) if seen is None else Download.plex_due_at == seen
    taken = db.session.execute(
        update(Download)
        .where(Download.id == download_id, Download.plex_state == WAITING, same_due)
        .values(plex_due_at=utcnow() + LEASE)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    download = db.session.get(Download, download_id)
    return download, download.plex_due_at


def publish_download(download_id: int) -> str:
    """Scan the download's show folder in Plex, link episodes, and sync the playlist collection."""
    claimed = _claim(download_id)
    if claimed is None:
        db.session.rollback()
        return "skipped"
    download, lease = claimed
    try:
        values = _publish(download)
    except PlexServerError as exc:
        _forget_scan(download_id)
        values = _failed_try(download, str(exc))
    section_key = values.pop("plex_section_key", None)
    outcome = _finish(download, lease, values)
    if outcome == DONE and section_key:
        # Our library picks the new episodes up now, so the download can link to its show.
        enqueue(
            "app.downloads.plex_publish.sync_show",
            section_key,
            download_id,
            job_id=f"download-library-{download_id}",
        )
    return outcome


def sync_show(section_key: str, download_id: int) -> dict:
    """Pick the download's show up in our library, then let open pages link to it."""
    from app.library.tasks import section_update

    result = section_update(section_key)
    download = db.session.get(Download, download_id)
    if download is not None:
        _announce(download.id, download.user_id)
    return result


def _connection() -> tuple[str, str, plex_library.SectionCheck]:
    base, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    ref = setup.library_ref()
    return plex_library.connected_section(base, token, ref, "downloads", "Downloads settings")


def _folders(download: Download, items: list[DownloadItem]) -> dict[str, list[DownloadItem]]:
    """The show folders (as Plex sees them) holding these files, the download's own first."""
    groups: dict[str, list[DownloadItem]] = {}
    for item in items:
        groups.setdefault(PurePosixPath(item.file_path).parts[0], []).append(item)
    order = sorted(groups, key=lambda top: top != download.folder)
    root = setup.youtube_dir()
    return {setup.as_plex_sees(root / top): groups[top] for top in order}


def _publish(download: Download) -> dict:
    base, token, section = _connection()
    items = sorted(
        (i for i in download.items if i.status == FINISHED and i.file_path),
        key=lambda i: i.position,
    )
    if not items:
        return {"plex_state": DONE, "plex_error": None, "plex_due_at": None}
    folders = _folders(download, items)
    started, scan_now = _scan_round(download.id)
    if scan_now:
        for folder in folders:
            plex_library.scan_folder(base, token, section.key, folder)
    deadline = time.monotonic() + POLL_IN_JOB
    show_key, missing = _link(base, token, section.key, folders)
    while missing and time.monotonic() < deadline:
        time.sleep(1)
        show_key, missing = _link(base, token, section.key, folders)
    if missing:
        if time.time() - started < POLL_WINDOW:
            values = {"plex_due_at": utcnow() + timedelta(seconds=POLL_SECONDS)}
            if download.plex_error:  # Plex answers again: the old complaint no longer holds
                values["plex_error"] = None
            return values
        raise PlexServerError(
            f"Plex has not listed {len(missing)} of the videos after scanning their folder. "
            f"Check that Plex sees the YouTube folder at {setup.plex_path()}."
        )
    values = {"plex_state": DONE, "plex_error": None, "plex_attempts": 0, "plex_due_at": None}
    values["plex_section_key"] = section.key
    values["plex_show_key"] = show_key or download.plex_show_key
    if download.kind == "playlist":
        keys, existing = _playlist_members(download, items)
        values["plex_collection_key"] = plex_library.sync_collection(
            base, token, section.key, download.title or "Playlist", keys, existing
        )
    _forget_scan(download.id)
    return values


def _playlist_members(download: Download, items: list[DownloadItem]):
    """One collection per playlist: the episodes of every download of it (a subscription makes
    one per check), oldest download first, and the collection any of them made already."""
    others = db.session.scalars(
        select(Download)
        .where(Download.source_key == download.source_key, Download.id != download.id)
        .order_by(Download.created_at, Download.id)
    ).all()
    keys: list[str] = []
    for source in [*others, download]:
        mine = items if source is download else sorted(source.items, key=lambda i: i.position)
        for item in mine:
            if item.status == FINISHED and item.plex_key and item.plex_key not in keys:
                keys.append(item.plex_key)
    existing = download.plex_collection_key or next(
        (d.plex_collection_key for d in reversed(others) if d.plex_collection_key), None
    )
    return keys, existing


def _link(base: str, token: str, section_key: str, folders) -> tuple[str | None, list]:
    """Link each item to its episode; return the first folder's show and the items not found."""
    show_key, missing = None, []
    for number, (folder, items) in enumerate(folders.items()):
        show, episodes = plex_library.episodes_in(base, token, section_key, folder)
        show_key = show if number == 0 else show_key
        for item in items:
            item.plex_key = episodes.get(plex_library.video_id_of(item.file_path) or "")
            if item.plex_key is None:
                missing.append(item)
    return show_key, missing


def _scan_round(download_id: int) -> tuple[float, bool]:
    """When this round's scan was asked for, and whether to ask for it now."""
    now = time.time()
    try:
        connection = redis_conn()
        asked = connection.get(SCAN_KEY.format(download_id))
        if asked is not None:
            return float(asked), False
        connection.set(SCAN_KEY.format(download_id), now, ex=POLL_WINDOW * 10)
    except (RedisError, ValueError) as exc:
        log.info("Could not read when download %s was scanned: %s", download_id, exc)
    return now, True


def _forget_scan(download_id: int) -> None:
    try:
        redis_conn().delete(SCAN_KEY.format(download_id))
    except RedisError as exc:
        log.info("Could not forget the scan of download %s: %s", download_id, exc)


def _failed_try(download: Download, message: str) -> dict:
    attempts = download.plex_attempts + 1
    values = {"plex_attempts": attempts, "plex_error": message}
    if attempts >= MAX_ATTEMPTS:
        return {**values, "plex_state": FAILED, "plex_due_at": None}
    first = current_app.config["PLEX_SCAN_RETRY_SECONDS"]
    delay = min(MAX_BACKOFF, first * 2 ** (attempts - 1))
    return {**values, "plex_due_at": utcnow() + timedelta(seconds=delay)}


def _finish(download: Download, lease: datetime, values: dict) -> str:
    """Write the outcome unless the Plex step was asked for again meanwhile (then it runs next)."""
    written = db.session.execute(
        update(Download)
        .where(Download.id == download.id, Download.plex_due_at == lease)
        .values(**values, updated_at=utcnow())
    )
    applied = written.rowcount == 1
    state = values.get("plex_state", WAITING)
    if applied and state == FAILED:
        emit(
            "system.alert",
            "A download could not be added to Plex",
            f"“{download.title or download.source_url}”: {values['plex_error']} "
            f"MediaNest stopped trying after {MAX_ATTEMPTS} attempts; the files are kept.",
            level="error",
            subject=subject_of("download", download.id),
            commit=False,
        )
    db.session.commit()
    if applied and (state != WAITING or "plex_error" in values):
        _announce(download.id, download.user_id)
    return state if applied else "asked again"


def _announce(download_id: int, owner_id: int) -> None:
    watchers = db.session.scalars(
        select(DownloadWatcher.user_id).where(DownloadWatcher.download_id == download_id)
    ).all()
    event = {"type": "download.changed", "download_id": download_id}
    publish(event, user_ids=[owner_id, *watchers], admins=True)
