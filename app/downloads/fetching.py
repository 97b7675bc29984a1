"""The job that fetches one video with yt-dlp and puts it where Plex reads it."""

import contextlib
import errno
import logging
import os
import shutil
from datetime import timedelta
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import update

from app.downloads import layout, plex_publish, setup
from app.downloads.lifecycle import finished_copy, reuse, settle_alone
from app.downloads.progress import Reporter, publish_changed
from app.extensions import db, redis_conn
from app.integrations import ytdlp
from app.integrations.ytdlp import FetchError, FetchSpec
from app.models import Download, DownloadItem
from app.models.base import utcnow
from app.models.downloads import CANCELLED, FAILED, FINISHED, QUEUED, RUNNING
from app.notify.outbox import emit

log = logging.getLogger(__name__)


def fetch_item(item_id: int) -> str:
    """Fetch one video into the show folder; safe to run twice."""
    item = _claim(item_id)
    if item is None:
        return "skipped"
    download = item.download
    copy = finished_copy(item)
    if copy is not None:
        reuse(item, copy)
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
    settle_alone(item.download_id)
    db.session.commit()
    return db.session.get(DownloadItem, item_id)


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
        return contextlib.nullcontext()


def _show_art(show: Path, image_url: str | None) -> None:
    if (show / "poster.jpg").exists() or not image_url:
        return
    try:
        ytdlp.write_show_art(str(show), image_url, _guard())
    except (FetchError, OSError) as exc:
        log.info("No artwork for %s: %s", show, exc)


def _os_error(exc: OSError) -> FetchError:
    if exc.errno == errno.ENOSPC:
        return FetchError(ytdlp.DISK, ytdlp.ERROR_WORDS[ytdlp.DISK])
    return FetchError(ytdlp.OTHER, f"The file could not be written: {exc.strerror or exc}.")


def _after_finish(download: Download) -> None:
    """Settle the download, ask Plex to scan, commit, tell everyone watching."""
    download = settle_alone(download.id)
    if download.plex_state != "waiting":
        plex_publish.request_publish(download)
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
            emit(
                "disk.full",
                "Downloads stopped: the disk is full",
                f"“{item.title}” could not be saved in {setup.youtube_dir()}. Free some space, "
                "then retry it from Downloads.",
                level="error",
                link=f"/downloads/{download.id}",
                commit=False,
            )
    item.pct, item.updated_at = 0.0, utcnow()
    download = settle_alone(download.id)
    publish_changed(download)
    db.session.commit()
    return outcome


def _words(seconds: float) -> str:
    return f"{round(seconds)} seconds" if seconds < 90 else f"{round(seconds / 60)} minutes"
