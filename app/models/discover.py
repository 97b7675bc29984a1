"""Discover's stored catalog: titles as a source described them, and the lists that order them."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class DiscoverTitle(db.Model):
    """One movie or show: its card (from a list or search) or its whole page (details)."""

    __tablename__ = "discover_titles"
    __table_args__ = (
        UniqueConstraint("media_type", "tmdb_id", name="uq_discover_titles_media"),
        Index("ix_discover_titles_last_viewed_at", "last_viewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    media_type: Mapped[str] = mapped_column(String(8))  # movie | tv
    tmdb_id: Mapped[int] = mapped_column(BigInteger)
    # The Title (app/discover/titles.py) as a dict; `detailed` once it holds a page's facts.
    data: Mapped[dict] = mapped_column(JSON)
    detailed: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16), default="tmdb")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DiscoverList(db.Model):
    """One row of the Discover page (trending, popular movies, popular shows, upcoming)."""

    __tablename__ = "discover_lists"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    # [[media_type, tmdb_id], ...] in the source's order.
    keys: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16), default="tmdb")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
