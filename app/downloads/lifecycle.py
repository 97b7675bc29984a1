"""How a download and its videos move between states: queued again, reused, settled.

A video's row is the truth. fetch_item claims a queued row (a conditional UPDATE, so two jobs
never both run it), holds it with a lease it renews while yt-dlp works, and ends it finished,
queued again (with backoff), failed or cancelled. A worker killed mid-download leaves the row
running with a lease that runs out; the sweeper queues it again and the next job starts over in
a clean staging folder, so there is never a second file.
"""

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.after_commit import after_commit
from app.downloads import setup
from app.extensions import db
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
from app.notify.outbox import emit

DOWNLOADS_QUEUE = "downloads"


def queued_until():
    """When a video just put in the queue is put there again if no job has taken it: a Redis
    that restarted empty loses its queue, and this is how long that delays the video."""
    return utcnow() + timedelta(seconds=current_app.config["DOWNLOAD_REQUEUE_SECONDS"])


def enqueue_fetch(item_id: int, tag: str = "a0") -> None:
    # The id names the attempt: a job whose worker was killed stays "started" in RQ for a
    # while, and must not stop the next attempt from being queued.
    enqueue(
        "app.downloads.fetching.fetch_item",
        item_id,
        queue=DOWNLOADS_QUEUE,
        job_id=f"download-item-{item_id}-{tag}",
        job_timeout=int(current_app.config["DOWNLOAD_TIMEOUT"]) + 300,
        result_ttl=600,
    )


def finished_copy(item: DownloadItem) -> DownloadItem | None:
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


def reuse(item: DownloadItem, copy: DownloadItem) -> None:
    item.status, item.reused, item.pct = FINISHED, True, 100.0
    item.file_path, item.plex_key = copy.file_path, copy.plex_key
    item.upload_date = item.upload_date or copy.upload_date
    item.finished_at = item.updated_at = utcnow()


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


def settle_alone(download_id: int, *, cancelled: bool = False) -> Download:
    """Commit what is pending, then settle the download holding its row. Two jobs that end
    videos of one download at the same moment would each see the other's still running, and
    the download would stay "running" for good; holding the row makes the second one wait."""
    db.session.commit()
    db.session.execute(
        update(Download).where(Download.id == download_id).values(updated_at=utcnow())
    )
    db.session.expire_all()
    download = db.session.get(Download, download_id)
    settle(download, cancelled=cancelled)
    return download


def _tell_ended(download: Download, statuses: list[str]) -> None:
    from app.downloads.services import audience

    done = sum(1 for s in statuses if s == FINISHED)
    failed = sum(1 for s in statuses if s == FAILED)
    title = download.title or "Your download"
    if download.status == CANCELLED:
        return
    if download.status == FINISHED:
        words = "1 video is" if done == 1 else f"{done} videos are"
        # Videos fetched before for someone else are in Plex already.
        where = (
            "in Plex already" if all(i.reused for i in download.items) else "on their way into Plex"
        )
        heading, body, level = f"Downloaded: {title}", f"{words} {where}.", "success"
        kind = "download.finished"
    elif download.status == PARTIAL:
        heading = f"Partly downloaded: {title}"
        body, level = f"{done} downloaded, {failed} failed; retry them from Downloads.", "warning"
        kind = "download.failed"  # some need a retry from the person
    else:
        first = next((i.error for i in download.items if i.status == FAILED and i.error), "")
        heading, body, level = f"Download failed: {title}", first or download.error or "", "error"
        kind = "download.failed"
    emit(
        kind,
        heading,
        body,
        user_ids=audience(download),
        level=level,
        link=f"/downloads/{download.id}",
        data={"download_id": download.id, "finished": done, "failed": failed},
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
    item.due_at = queued_until()
    item.finished_at, item.updated_at = None, utcnow()
    reopen(item.download)
    item_id, tag = item.id, f"r{time.time_ns()}"
    after_commit(lambda: enqueue_fetch(item_id, tag))
