"""The library catalog copied from Plex, and the history of the syncs that keep it current."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

TITLE_LENGTH = 500
PATH_LENGTH = 500
SUMMARY_LENGTH = 20_000
TAG_LENGTH = 255
GUID_LENGTH = 255


class LibrarySection(db.Model):
    """One Plex library; hidden ones are for admins only, removed ones for nobody."""

    __tablename__ = "library_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))
    hidden: Mapped[bool] = mapped_column(default=False)
    item_count: Mapped[int] = mapped_column(default=0)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a full sync found the library gone from the server's list; cleared if it comes back.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MediaItem(db.Model):
    """A movie, show, season, episode, artist or album as Plex last described it."""

    __tablename__ = "media_items"
    __table_args__ = (
        Index("ix_media_items_section_type", "section_id", "type"),
        Index("ix_media_items_added_at", "added_at"),
        # Partial: movies and episodes have none, and an index full of NULLs reads to the
        # planner as if every item shared one parent (migration 0006).
        Index(
            "ix_media_items_parent_rating_key",
            "parent_rating_key",
            postgresql_where=text("parent_rating_key IS NOT NULL"),
            sqlite_where=text("parent_rating_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_key: Mapped[int] = mapped_column(unique=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("library_sections.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    original_title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    sort_title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    summary: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None]
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # Plex's, not ours
    rating: Mapped[float | None] = mapped_column(Float)
    duration: Mapped[int | None] = mapped_column(Integer)  # milliseconds
    content_rating: Mapped[str | None] = mapped_column(String(64))
    thumb: Mapped[str | None] = mapped_column(String(PATH_LENGTH))
    parent_rating_key: Mapped[int | None] = mapped_column()
    index: Mapped[int | None]
    child_count: Mapped[int | None]
    leaf_count: Mapped[int | None]
    video_resolution: Mapped[str | None] = mapped_column(String(16))
    # Directors, writers and actors, one per line: searched with the titles.
    people: Mapped[str | None] = mapped_column(Text)
    # Collection names, one per line, kept current from item_tags by the database's triggers.
    collections: Mapped[str | None] = mapped_column(Text)
    # A short hash of everything above plus tags and guids: unchanged items are not rewritten.
    digest: Mapped[str] = mapped_column(String(16), default="")
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ItemTag(db.Model):
    """A genre, collection, director, actor, writer or country of an item."""

    __tablename__ = "item_tags"
    __table_args__ = (Index("ix_item_tags_kind_value_item", "kind", "value", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("media_items.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(TAG_LENGTH))


class ItemGuid(db.Model):
    """An outside id of an item (tmdb, imdb, tvdb), for matching requests to the library."""

    __tablename__ = "item_guids"
    __table_args__ = (Index("ix_item_guids_scheme_value", "scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("media_items.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(GUID_LENGTH))


class SyncRun(db.Model):
    """One sync of the catalog and what it found."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # full | recent | webhook
    section_key: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    libraries_removed: Mapped[int] = mapped_column(default=0)
    # [{"problem": "duplicate ratingKey", "count": 2, "example": "17"}, ...]
    problems: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
