"""Jobs that list a download's videos, and the sweeper that restarts what was left.

The videos themselves are fetched by app.downloads.fetching.fetch_item; how a download and its
videos change state is in app.downloads.lifecycle.
"""

import logging
import time
from datetime import timedelta

from sqlalchemy import select, update

from app.after_commit import after_commit
from app.downloads import layout, plex_publish, selection
from app.downloads.lifecycle import (
    enqueue_fetch,
    finished_copy,
    queued_until,
    reuse,
    settle,
    settle_alone,
)
from app.downloads.progress import publish_changed
from app.extensions import db
from app.integrations import ytdlp
from app.integrations.ytdlp import Entry, FetchError
from app.jobs import enqueue
from app.models import Download, DownloadItem
from app.models.base import utcnow
from app.models.downloads import ACTIVE, FAILED, QUEUED, RUNNING

log = logging.getLogger(__name__)

SWEEP_BATCH = 500


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
    elif any(item.reused for item in download.items):
        # Videos fetched before are done at once, and no fetch job will ask Plex for them.
        plex_publish.request_publish(download)
    # Open pages learn the count of videos, and the end when every video was there already.
    publish_changed(download)
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
    # The lookups below must not flush half-built rows.
    with db.session.no_autoflush:
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
                due_at=queued_until(),
            )
            copy = finished_copy(item)
            if copy is not None:
                reuse(item, copy)
            items.append(item)
    db.session.add_all(items)
    db.session.flush()
    queued = [i.id for i in items if i.status == QUEUED]
    after_commit(lambda: [enqueue_fetch(item_id) for item_id in queued])
    settle(download)


# -- the sweeper --------------------------------------------------------------------------------


def sweep_downloads() -> dict:
    """Queue again what a dead worker or a lost job left, start due retries and Plex steps."""
    now = utcnow()
    stale = db.session.execute(
        update(DownloadItem)
        .where(DownloadItem.status == RUNNING, DownloadItem.due_at < now)
        .values(status=QUEUED, due_at=now, pct=0.0, updated_at=now)
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
            .values(due_at=queued_until())
        )
        db.session.commit()
    for row in due:
        enqueue_fetch(row.id, f"a{row.attempts}")
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
    for download_id in _ended_but_open(now):
        publish_changed(settle_alone(download_id))
        db.session.commit()
    published = _sweep_publish()
    return {"requeued": stale, "started": len(due), "listed": len(unlisted), "plex": published}


def _ended_but_open(now) -> list[int]:
    """Downloads still marked active though every video has ended (a safety net: settling
    holds the row, so this should find none)."""
    return db.session.scalars(
        select(Download.id)
        .where(
            Download.status.in_(ACTIVE),
            Download.updated_at < now - timedelta(minutes=1),
            Download.items.any(),
            ~Download.items.any(DownloadItem.status.in_(ACTIVE)),
        )
        .limit(SWEEP_BATCH)
    ).all()


def _sweep_publish() -> int:
    return plex_publish.sweep_publish()
