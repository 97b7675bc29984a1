"""Telling people how a download goes: throttled progress events, a lease kept fresh, cancels seen.

A running job calls Reporter.progress for every yt-dlp progress line and Reporter.cancelled a few
times a second. Events go out at most every DOWNLOAD_PROGRESS_SECONDS per video; the row's
percent and lease are written every few seconds, and the status read back to notice a cancel.
"""

import json
import time
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.after_commit import after_commit
from app.extensions import db, redis_conn
from app.models import Download, DownloadItem
from app.models.base import utcnow
from app.models.downloads import FINISHED, REMOVED, RUNNING
from app.realtime.events import publish

PROGRESS_KEY = "medianest:downloads:progress:"
CHECK_SECONDS = 0.5  # how often a running job reads its row's status


class Reporter:
    def __init__(self, item: DownloadItem, download: Download):
        from app.downloads.services import audience

        self.item_id, self.download_id = item.id, download.id
        self.audience = audience(download)
        self.total = max(1, len(download.items))
        self.done = sum(1 for i in download.items if i.status in (FINISHED, REMOVED))
        self.every = current_app.config["DOWNLOAD_PROGRESS_SECONDS"]
        self.lease = timedelta(seconds=current_app.config["DOWNLOAD_LEASE_SECONDS"])
        self.beat = max(1.0, self.lease.total_seconds() / 4)
        self.pct = 0.0
        self._published = self._checked = 0.0
        self._beaten = time.monotonic()
        self._stop = False

    def progress(self, update_: dict) -> None:
        """Publish a progress event, at most every few tenths of a second."""
        pct = update_.get("pct")
        self.pct = min(100.0, max(0.0, float(pct))) if isinstance(pct, int | float) else self.pct
        now = time.monotonic()
        if now - self._published < self.every:
            return
        self._published = now
        event = {
            "type": "download.progress",
            "download_id": self.download_id,
            "item_id": self.item_id,
            "pct": round(self.pct, 1),
            "download_pct": round(100 * (self.done + self.pct / 100) / self.total, 1),
            "speed": update_.get("speed"),
            "eta": update_.get("eta"),
            "phase": update_.get("phase") or "downloading",
            "status": RUNNING,
        }
        try:
            redis_conn().set(f"{PROGRESS_KEY}{self.item_id}", json.dumps(event), ex=3600)
        except RedisError:
            pass  # the event below still goes out, and the row's percent follows
        publish(event, user_ids=self.audience, admins=True)

    def cancelled(self) -> bool:
        """Whether the row was cancelled (or taken back); renews the lease as it goes."""
        now = time.monotonic()
        if self._stop or now - self._checked < CHECK_SECONDS:
            return self._stop
        self._checked = now
        status = db.session.scalar(
            select(DownloadItem.status).where(DownloadItem.id == self.item_id)
        )
        if now - self._beaten >= self.beat and status == RUNNING:
            self._beaten = now
            db.session.execute(
                update(DownloadItem)
                .where(DownloadItem.id == self.item_id, DownloadItem.status == RUNNING)
                .values(due_at=utcnow() + self.lease, pct=round(self.pct, 1))
            )
        db.session.commit()  # ends the read, so the next check sees a cancel made meanwhile
        self._stop = status != RUNNING
        return self._stop


def publish_changed(download: Download) -> None:
    """After the commit, tell everyone who sees this download that it changed."""
    from app.downloads.services import audience

    event = {"type": "download.changed", "download_id": download.id, "status": download.status}
    people = audience(download)
    after_commit(lambda: publish(event, user_ids=people, admins=True))
