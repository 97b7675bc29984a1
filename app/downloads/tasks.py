"""Jobs that list a download's videos and fetch each one, and the sweeper that restarts them.

A video's row is the truth. fetch_item claims a queued row (a conditional UPDATE, so two jobs
never both run it), holds it with a lease it renews while yt-dlp works, and ends it finished,
queued again (with backoff), failed or cancelled. A worker killed mid-download leaves the row
running with a lease that runs out; the sweeper queues it again and the next job starts over in
a clean staging folder, so there is never a second file.
"""

import logging
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.after_commit import after_commit
from app.downloads import layout, selection, setup
from app.downloads.progress import Reporter, publish_changed
from app.extensions import db, redis_conn
from app.integrations import ytdlp
from app.integrations.ytdlp import Entry, FetchError, FetchSpec
from app.jobs import enqueue
from app.models import Download, DownloadItem
from app.models.base import utcnow
from app.models.downloads import (
    ACTIVE,
    CANCELLED,
    FAILED,
    FINISHED,
    PARTIAL,
    QUEUED,
    REMOVED,
    RUNNING,
)
from app.notifications.services import notify, notify_admins

log = logging.getLogger(__name__)

IN_QUEUE = timedelta(hours=1)  # a queued video not claimed by then is enqueued again
SWEEP_BATCH = 500
DOWNLOADS_QUEUE = "downloads"


# -- listing ------------------------------------------------------------------------------------


def list_download(download_id: int) -> str:
    """List the videos of a new download and start them; safe to run twice."""
    download = db.session.get(Download, download_id)
    if download is None or download.status != QUEUED or download.items:
        return "skipped"
    from app.downloads.services import guard

    last = selection.MAX_POSITION
    if download.selection != "all":
        last = max(selection.positions(download.selection, selection.MAX_POSITION))
    try:
        entries = _listed(download.source_url, last, guard())
    except FetchError as exc:
        download.status, download.error = FAILED, exc.message
        download.active_key = None
        download.finished_at = download.updated_at = utcnow()
        publish_changed(download)
        db.session.commit()
        return "failed"
    positions = selection.positions(download.selection, len(entries))
    add_items(download, [(p, entries[p - 1]) for p in positions])
    download.total_items = len(positions)
    if not positions:
        download.status, download.error = FAILED, ytdlp.ERROR_WORDS[ytdlp.UNSUPPORTED]
        download.active_key = None
    db.session.commit()
    return f"listed {len(positions)}"


def _listed(url: str, last: int, guard) -> list[Entry]:
    """The entries, trying once more after a network hiccup."""
    try:
        return ytdlp.list_entries(url, start=1, end=last, guard=guard)
    except FetchError as exc:
        if not exc.retryable:
            raise
        time.sleep(3)
        return ytdlp.list_entries(url, start=1, end=last, guard=guard)


def add_items(download: Download, pairs: list[tuple[int, Entry]]) -> None:
    """Add a video row per (position, entry); a video fetched before is reused, not fetched."""
    first = pairs[0][1] if pairs else None
    if not download.folder:
        name = download.title if download.kind == "playlist" else download.uploader
        name = name or (first.uploader if first else "") or download.title
        download.folder = layout.safe_name(name, fallback="YouTube")
    download.uploader = download.uploader or (first.uploader if first else "")
    items = []
    for position, entry in pairs:
        item = DownloadItem(
            download=download,
            position=position,
            extractor=entry.extractor[:64],
            video_id=entry.video_id[:200],
            url=entry.url[:2000],
            title=(entry.title or entry.video_id)[:500],
            uploader=(entry.uploader or "")[:500],
            upload_date=entry.upload_date,
            duration=entry.duration,
            due_at=utcnow() + IN_QUEUE,
        )
        copy = _finished_copy(item)
        if copy is not None:
            _reuse(item, copy)
        items.append(item)
    db.session.add_all(items)
    db.session.flush()
    queued = [i.id for i in items if i.status == QUEUED]
    after_commit(lambda: [_enqueue_fetch(item_id) for item_id in queued])
    settle(download)


def _enqueue_fetch(item_id: int, tag: str = "a0") -> None:
    # The id names the attempt: a job whose worker was killed stays "started" in RQ for a
    # while, and must not stop the next attempt from being queued.
    enqueue(
        "app.downloads.tasks.fetch_item",
        item_id,
        queue=DOWNLOADS_QUEUE,
        job_id=f"download-item-{item_id}-{tag}",
        job_timeout=int(current_app.config["DOWNLOAD_TIMEOUT"]) + 300,
        result_ttl=600,
    )


def _finished_copy(item: DownloadItem) -> DownloadItem | None:
    """A finished row of the same video whose file is still on disk."""
    rows = db.session.scalars(
        select(DownloadItem).where(
            DownloadItem.extractor == item.extractor,
            DownloadItem.video_id == item.video_id,
            DownloadItem.status == FINISHED,
            DownloadItem.file_path.is_not(None),
        )
    ).all()
    root = setup.youtube_dir()
    return next(
        (row for row in rows if row.id != item.id and (root / row.file_path).is_file()), None
    )


def _reuse(item: DownloadItem, copy: DownloadItem) -> None:
    item.status, item.reused, item.pct = FINISHED, True, 100.0
    item.file_path, item.plex_key = copy.file_path, copy.plex_key
    item.upload_date = item.upload_date or copy.upload_date
    item.finished_at = item.updated_at = utcnow()


# -- fetching one video -------------------------------------------------------------------------


def fetch_item(item_id: int) -> str:
    """Fetch one video into the show folder; safe to run twice."""
    item = _claim(item_id)
    if item is None:
        return "skipped"
    download = item.download
    copy = _finished_copy(item)
    if copy is not None:
        _reuse(item, copy)
        _after_finish(download)
        return "reused"
    staging = setup.staging_root() / str(item.id)
    shutil.rmtree(staging, ignore_errors=True)  # whatever a killed job left
    ext = "m4a" if download.quality == "audio" else "mp4"
    spec = FetchSpec(
        url=item.url,
        video_id=item.video_id,
        quality=download.quality,
        staging_dir=str(staging),
        final_path=str(setup.staging_root() / f"{item.id}.{ext}"),
        guard=_guard(),
        timeout=float(current_app.config["DOWNLOAD_TIMEOUT"]),
    )
    reporter = Reporter(item, download)
    db.session.commit()  # end the read transaction: the reporter's checks must see new commits
    try:
        result = ytdlp.fetch(spec, reporter.progress, reporter.cancelled)
    except FetchError as exc:
        return _failed(item_id, exc)
    except Exception:  # a bug or an odd answer must not leave the row running
        log.exception("Download of item %s failed", item_id)
        return _failed(item_id, FetchError(ytdlp.OTHER, ytdlp.ERROR_WORDS[ytdlp.OTHER]))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _finished(item_id, Path(result.path), result.size_bytes, result.info)


def _guard():
    from app.downloads.services import guard

    return guard()


def _claim(item_id: int) -> DownloadItem | None:
    """Take a queued row for this job; None when it is gone, ended or taken."""
    lease = timedelta(seconds=current_app.config["DOWNLOAD_LEASE_SECONDS"])
    taken = db.session.execute(
        update(DownloadItem)
        .where(DownloadItem.id == item_id, DownloadItem.status == QUEUED)
        .values(
            status=RUNNING,
            due_at=utcnow() + lease,
            attempts=DownloadItem.attempts + 1,
            updated_at=utcnow(),
            error=None,
        )
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    item = db.session.get(DownloadItem, item_id)
    settle(item.download)
    db.session.commit()
    return item


def _finished(item_id: int, staged: Path, size: int, info: dict) -> str:
    item = db.session.get(DownloadItem, item_id)
    if item is None or item.status != RUNNING:  # cancelled at the last moment
        staged.unlink(missing_ok=True)
        return "cancelled"
    download = item.download
    item.upload_date = _date(info.get("upload_date")) or item.upload_date
    item.title = (info.get("title") or item.title)[:500]
    show = setup.youtube_dir() / download.folder
    try:
        target = _place(staged, show, item)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        return _failed(item_id, _os_error(exc))
    item.status, item.pct, item.size_bytes = FINISHED, 100.0, size
    item.file_path = target.relative_to(setup.youtube_dir()).as_posix()
    item.finished_at = item.updated_at = utcnow()
    item.error = item.error_code = None
    _show_art(show, download.thumbnail_url or info.get("thumbnail"))
    _after_finish(download)
    return "finished"


def _date(value) -> str | None:
    return value if isinstance(value, str) and len(value) == 8 and value.isdigit() else None


def _place(staged: Path, show: Path, item: DownloadItem) -> Path:
    """Move the fetched file to its episode name; one job at a time per show picks names."""
    today = utcnow().strftime("%Y%m%d")
    number = 1 + sum(
        1
        for other in item.download.items
        if other.position < item.position and other.upload_date == item.upload_date
    )
    with _folder_lock(show):
        target = layout.episode_path(
            show,
            item.upload_date,
            number,
            item.title,
            item.video_id,
            today=today,
            ext=staged.suffix.lstrip("."),
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
    return target


def _folder_lock(show: Path):
    try:
        return redis_conn().lock(
            f"medianest:downloads:folder:{show}", timeout=60, blocking_timeout=30
        )
    except RedisError:
        import contextlib

        return contextlib.nullcontext()


def _show_art(show: Path, image_url: str | None) -> None:
    if (show / "poster.jpg").exists() or not image_url:
        return
    try:
        ytdlp.write_show_art(str(show), image_url, _guard())
    except (FetchError, OSError, NotImplementedError) as exc:
        log.info("No artwork for %s: %s", show, exc)


def _os_error(exc: OSError) -> FetchError:
    import errno

    if exc.errno == errno.ENOSPC:
        return FetchError(ytdlp.DISK, ytdlp.ERROR_WORDS[ytdlp.DISK])
    return FetchError(ytdlp.OTHER, f"The file could not be written: {exc.strerror or exc}.")


def _after_finish(download: Download) -> None:
    """Settle the download, ask Plex to scan, commit, tell everyone watching."""
    settle(download)
    if download.plex_state != "waiting":
        from app.downloads import plex_publish

        try:
            plex_publish.request_publish(download)
        except NotImplementedError:
            pass
    publish_changed(download)
    db.session.commit()


def _failed(item_id: int, exc: FetchError) -> str:
    db.session.rollback()
    item = db.session.get(DownloadItem, item_id)
    if item is None:
        return "gone"
    download = item.download
    if item.status == CANCELLED or exc.code == ytdlp.CANCELLED:
        item.status = CANCELLED
        item.error, item.error_code = ytdlp.ERROR_WORDS[ytdlp.CANCELLED], ytdlp.CANCELLED
        outcome = "cancelled"
    elif exc.retryable and item.attempts < current_app.config["DOWNLOAD_ATTEMPTS"]:
        wait = current_app.config["DOWNLOAD_RETRY_SECONDS"] * 2 ** (item.attempts - 1)
        item.status, item.due_at = QUEUED, utcnow() + timedelta(seconds=wait)
        item.error = f"{exc.message} Trying again in {_words(wait)}."
        item.error_code = exc.code
        outcome = "retrying"
    else:
        item.status, item.error, item.error_code = FAILED, exc.message, exc.code
        item.finished_at = utcnow()
        outcome = "failed"
        if exc.code == ytdlp.DISK:
            notify_admins(
                "Downloads stopped: the disk is full",
                f"“{item.title}” could not be saved in {setup.youtube_dir()}. Free some space, "
                "then retry it from Downloads.",
                level="error",
                link=f"/downloads/{download.id}",
                commit=False,
            )
    item.pct, item.updated_at = 0.0, utcnow()
    settle(download)
    publish_changed(download)
    db.session.commit()
    return outcome


def _words(seconds: float) -> str:
    return f"{round(seconds)} seconds" if seconds < 90 else f"{round(seconds / 60)} minutes"


# -- the download as a whole --------------------------------------------------------------------


def settle(download: Download, *, cancelled: bool = False) -> None:
    """Work out the download's status from its videos; tell people once it ends. No commit."""
    statuses = [item.status for item in download.items]
    before = download.status
    if any(s == RUNNING for s in statuses):
        status = RUNNING
    elif any(s == QUEUED for s in statuses):
        status = QUEUED if before == QUEUED else RUNNING
    elif not statuses:
        status = CANCELLED if cancelled else download.status
    else:
        done = sum(1 for s in statuses if s in (FINISHED, REMOVED))
        failed = sum(1 for s in statuses if s == FAILED)
        if done == len(statuses):
            status = FINISHED
        elif done:
            status = PARTIAL
        elif failed:
            status = FAILED
        else:
            status = CANCELLED
    download.status = status
    download.updated_at = utcnow()
    if status in ACTIVE:
        return
    download.active_key = None
    if before in ACTIVE:
        download.finished_at = utcnow()
        _tell_ended(download, statuses)


def _tell_ended(download: Download, statuses: list[str]) -> None:
    from app.downloads.services import audience

    done = sum(1 for s in statuses if s == FINISHED)
    failed = sum(1 for s in statuses if s == FAILED)
    title = download.title or "Your download"
    if download.status == CANCELLED:
        return
    if download.status == FINISHED:
        words = "1 video is" if done == 1 else f"{done} videos are"
        heading, body, level = f"Downloaded: {title}", f"{words} on their way into Plex.", "success"
    elif download.status == PARTIAL:
        heading = f"Partly downloaded: {title}"
        body, level = f"{done} downloaded, {failed} failed; retry them from Downloads.", "warning"
    else:
        first = next((i.error for i in download.items if i.status == FAILED and i.error), "")
        heading, body, level = f"Download failed: {title}", first or download.error or "", "error"
    notify(
        audience(download),
        heading,
        body,
        level=level,
        link=f"/downloads/{download.id}",
        commit=False,
    )


def reopen(download: Download) -> None:
    """Mark a download active again, unless someone else is downloading the same thing now."""
    key = f"{download.source_key}|{download.quality}"
    taken = db.session.scalars(select(Download.id).where(Download.active_key == key)).first()
    download.active_key = key if taken in (None, download.id) else None
    download.finished_at = None


def requeue(item: DownloadItem) -> None:
    """Queue a failed or cancelled video again (a retry from a person). No commit."""
    item.status, item.attempts, item.pct = QUEUED, 0, 0.0
    item.error = item.error_code = None
    item.due_at = utcnow() + IN_QUEUE
    item.finished_at = None
    reopen(item.download)
    item_id, tag = item.id, f"r{time.time_ns()}"
    after_commit(lambda: _enqueue_fetch(item_id, tag))


# -- the sweeper --------------------------------------------------------------------------------


def sweep_downloads() -> dict:
    """Queue again what a dead worker or a lost job left, start due retries and Plex steps."""
    now = utcnow()
    stale = db.session.execute(
        update(DownloadItem)
        .where(DownloadItem.status == RUNNING, DownloadItem.due_at < now)
        .values(status=QUEUED, due_at=now, pct=0.0)
    ).rowcount
    db.session.commit()
    due = db.session.execute(
        select(DownloadItem.id, DownloadItem.attempts)
        .where(DownloadItem.status == QUEUED, DownloadItem.due_at <= now)
        .order_by(DownloadItem.due_at, DownloadItem.id)
        .limit(SWEEP_BATCH)
    ).all()
    if due:
        db.session.execute(
            update(DownloadItem)
            .where(DownloadItem.id.in_([row.id for row in due]), DownloadItem.status == QUEUED)
            .values(due_at=now + IN_QUEUE)
        )
        db.session.commit()
    for row in due:
        _enqueue_fetch(row.id, f"a{row.attempts}")
    unlisted = db.session.scalars(
        select(Download.id).where(
            Download.status == QUEUED,
            Download.created_at < now - timedelta(minutes=1),
            ~Download.items.any(),
        )
    ).all()
    for download_id in unlisted:
        enqueue(
            "app.downloads.tasks.list_download", download_id, job_id=f"download-list-{download_id}"
        )
    published = _sweep_publish()
    return {"requeued": stale, "started": len(due), "listed": len(unlisted), "plex": published}


def _sweep_publish() -> int:
    from app.downloads import plex_publish

    try:
        return plex_publish.sweep_publish()
    except NotImplementedError:
        return 0
