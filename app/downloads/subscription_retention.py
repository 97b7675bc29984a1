"""Retention of a subscription: keep its newest N videos and/or those of the last N days.

Older files are deleted (with a season folder left empty) and their items marked removed; Plex
is then asked to scan again so it drops them. A file another download still uses stays.
"""

import logging
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from app.downloads import plex_publish, setup
from app.extensions import db
from app.models import Download, DownloadItem, Subscription
from app.models.base import utcnow
from app.models.downloads import FINISHED, REMOVED

log = logging.getLogger(__name__)


def day_of(item) -> str:
    """The day a video counts from (YYYYMMDD): its upload date, else the day it was fetched."""
    if item.upload_date and len(item.upload_date) == 8 and item.upload_date.isdigit():
        return item.upload_date
    finished = item.finished_at or item.created_at
    return finished.strftime("%Y%m%d") if finished else "00000000"


def beyond_retention(items, keep_newest: int | None, keep_days: int | None, today: date) -> list:
    """The items retention removes: past the newest `keep_newest`, or older than `keep_days`.

    Newest means by upload date, then by position (a later check's download comes later)."""
    if not keep_newest and not keep_days:
        return []
    ordered = sorted(items, key=lambda i: (day_of(i), i.download_id, i.position), reverse=True)
    oldest_kept = (today - timedelta(days=keep_days)).strftime("%Y%m%d") if keep_days else ""
    return [
        item
        for n, item in enumerate(ordered)
        if (keep_newest and n >= keep_newest) or (keep_days and day_of(item) < oldest_kept)
    ]


def apply_retention(sub: Subscription) -> int:
    """Remove this subscription's videos that retention no longer keeps; returns how many."""
    if not sub.keep_newest and not sub.keep_days:
        return 0
    items = db.session.scalars(
        select(DownloadItem)
        .join(Download, Download.id == DownloadItem.download_id)
        .where(Download.subscription_id == sub.id, DownloadItem.status == FINISHED)
    ).all()
    going = beyond_retention(items, sub.keep_newest, sub.keep_days, utcnow().date())
    if not going:
        return 0
    root = setup.youtube_dir()
    touched: dict[int, Download] = {}
    for item in going:
        if item.file_path and not _used_elsewhere(item, sub.id):
            _delete(root, item.file_path)
        item.status, item.file_path, item.updated_at = REMOVED, None, utcnow()
        touched[item.download_id] = item.download
    db.session.commit()
    if any(all(i.status != FINISHED for i in d.items) for d in touched.values()):
        # Plex's step skips a download with no video left; a sibling's scan of the same show
        # folder drops the removed episodes too.
        sibling = _newest_with_videos(sub.id)
        if sibling is not None:
            touched[sibling.id] = sibling
    for download in touched.values():
        plex_publish.request_publish(download)
    db.session.commit()
    return len(going)


def _newest_with_videos(sub_id: int) -> Download | None:
    return db.session.scalars(
        select(Download)
        .where(
            Download.subscription_id == sub_id,
            Download.items.any(DownloadItem.status == FINISHED),
        )
        .order_by(Download.id.desc())
        .limit(1)
    ).first()


def _used_elsewhere(item: DownloadItem, sub_id: int) -> bool:
    """Whether a finished video of another download (not of this subscription) has this file."""
    other = db.session.scalars(
        select(DownloadItem.id)
        .join(Download, Download.id == DownloadItem.download_id)
        .where(
            DownloadItem.file_path == item.file_path,
            DownloadItem.status == FINISHED,
            DownloadItem.id != item.id,
            (Download.subscription_id != sub_id) | Download.subscription_id.is_(None),
        )
        .limit(1)
    ).first()
    return other is not None


def _delete(root: Path, relative: str) -> None:
    """Delete a file under the YouTube folder and its season folder once empty."""
    base = root.resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        log.warning("Not deleting %s: it is outside the YouTube folder", relative)
        return
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("Could not delete %s: %s", path, exc)
        return
    season = path.parent
    if season != base and season.name.startswith("Season "):
        try:
            season.rmdir()  # only succeeds when empty
        except OSError:
            pass
