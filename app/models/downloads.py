"""YouTube (and other yt-dlp site) downloads into Plex, their videos, and subscriptions.

A Download is one thing a person asked for (a video, a playlist or a channel); its DownloadItems
are the videos, each fetched by its own job. The rows are the truth: a job that dies leaves its
item "running" with a lease that runs out, and the sweeper starts it again.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

URL_LENGTH = 2000
TITLE_LENGTH = 500

# Download.status and DownloadItem.status
QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, SKIPPED = (
    "queued",
    "running",
    "finished",
    "failed",
    "cancelled",
    "skipped",
)
REMOVED = "removed"  # a video a subscription's retention deleted
PARTIAL = "partial"  # a download whose videos ended some finished, some failed
ACTIVE = (QUEUED, RUNNING)


class Download(db.Model):
    """One video, playlist or channel a person asked for, with the quality they chose."""

    __tablename__ = "downloads"
    __table_args__ = (
        Index("ix_downloads_user_created", "user_id", "created_at"),
        Index("ix_downloads_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The add form carries a token, so a double-click makes one download, not two.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    source_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    # What it is, independent of how the URL was spelled: "youtube:playlist:PL…", "generic:<url>".
    source_key: Mapped[str] = mapped_column(String(URL_LENGTH))
    # source_key|quality while the download is queued or running, else NULL: two people adding
    # the same playlist at once collide on this unique column and share one download.
    active_key: Mapped[str | None] = mapped_column(String(URL_LENGTH + 20), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # video | playlist | channel
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    uploader: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    thumbnail_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    quality: Mapped[str] = mapped_column(String(16), default="best")
    # Which videos of a playlist: "all" or positions such as "1-10, 15".
    selection: Mapped[str] = mapped_column(String(200), default="all")
    # The show folder under the YouTube folder (already made safe for every filesystem).
    folder: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    total_items: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    # Landing in Plex: None until a video finished, then waiting | done | failed.
    plex_state: Mapped[str | None] = mapped_column(String(16))
    plex_error: Mapped[str | None] = mapped_column(Text)
    plex_attempts: Mapped[int] = mapped_column(default=0)
    plex_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plex_show_key: Mapped[str | None] = mapped_column(String(32))
    plex_collection_key: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    items = relationship(
        "DownloadItem",
        back_populates="download",
        order_by="DownloadItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class DownloadWatcher(db.Model):
    """Someone else who added the same thing while it was downloading: they see it and are told."""

    __tablename__ = "download_watchers"

    download_id: Mapped[int] = mapped_column(
        ForeignKey("downloads.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DownloadItem(db.Model):
    """One video of a download, fetched by its own job."""

    __tablename__ = "download_items"
    __table_args__ = (
        UniqueConstraint("download_id", "position"),
        Index("ix_download_items_video", "extractor", "video_id"),
        Index("ix_download_items_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    download_id: Mapped[int] = mapped_column(ForeignKey("downloads.id", ondelete="CASCADE"))
    position: Mapped[int]  # order in the playlist, from 1
    extractor: Mapped[str] = mapped_column(String(64))  # yt-dlp's extractor key, lower case
    video_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    uploader: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    upload_date: Mapped[str | None] = mapped_column(String(8))  # YYYYMMDD
    duration: Mapped[int | None]  # seconds
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    # Queued: when the next attempt is due. Running: until when the running job holds it.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    pct: Mapped[float] = mapped_column(default=0.0)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    # Relative to the YouTube folder; set once the file is in place.
    file_path: Mapped[str | None] = mapped_column(String(1000))
    # True when another download had fetched this video already and its file is used.
    reused: Mapped[bool] = mapped_column(default=False)
    plex_key: Mapped[str | None] = mapped_column(String(32))  # the episode's rating key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    download = relationship("Download", back_populates="items")


class Subscription(db.Model):
    """A channel or playlist checked on a schedule; new videos are downloaded automatically."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("user_id", "source_key"),
        Index("ix_subscriptions_due", "enabled", "next_check_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    source_key: Mapped[str] = mapped_column(String(URL_LENGTH))
    kind: Mapped[str] = mapped_column(String(16))  # playlist | channel
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    quality: Mapped[str] = mapped_column(String(16), default="best")
    interval_minutes: Mapped[int] = mapped_column(default=360)
    # Retention: keep the newest N videos, and/or those of the last N days; None keeps all.
    keep_newest: Mapped[int | None]
    keep_days: Mapped[int | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_result: Mapped[str | None] = mapped_column(String(500))
    last_new: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
