"""Requests for movies and shows, their history, and the outbox that delivers them to Overseerr."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

TITLE_LENGTH = 500
REASON_LENGTH = 500


class MediaRequest(db.Model):
    """One person's request for a movie or for seasons of a show (see app/requests/states.py)."""

    __tablename__ = "media_requests"
    __table_args__ = (
        Index("ix_media_requests_media", "media_type", "tmdb_id"),
        Index("ix_media_requests_user_created", "user_id", "created_at"),
        Index("ix_media_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A random token the request form carries, so a double-click makes one request, not two.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(8))  # movie | tv
    tmdb_id: Mapped[int]
    tvdb_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    year: Mapped[int | None]
    poster_path: Mapped[str | None] = mapped_column(String(255))
    # Season numbers asked for (shows only), sorted; quotas count each one.
    seasons: Mapped[list] = mapped_column(JSON, default=list)
    # Seasons our library already holds, for "partially available".
    seasons_available: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    # Delivery to Overseerr: None without Overseerr, else waiting | sent | failed.
    delivery: Mapped[str | None] = mapped_column(String(16))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    overseerr_id: Mapped[int | None] = mapped_column(index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    available_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("media_items.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    events = relationship(
        "RequestEvent",
        back_populates="request",
        order_by="RequestEvent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class RequestEvent(db.Model):
    """One line of a request's history: what happened, when, from where, and why."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("media_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(24))
    # Where the change came from: person | overseerr | webhook | poll | library | delivery
    source: Mapped[str] = mapped_column(String(16), default="person")
    message: Mapped[str] = mapped_column(Text, default="")
    actor_name: Mapped[str | None] = mapped_column(String(64))

    request = relationship("MediaRequest", back_populates="events")


class RequestAction(db.Model):
    """The outbox: one thing to tell Overseerr about a request, delivered by a job, retried."""

    __tablename__ = "request_actions"
    __table_args__ = (Index("ix_request_actions_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("media_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # submit | approve | decline | seasons
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequestQuota(db.Model):
    """A person's own request limits; a None field follows the instance default."""

    __tablename__ = "request_quotas"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    movie_limit: Mapped[int | None]
    movie_days: Mapped[int | None]
    season_limit: Mapped[int | None]
    season_days: Mapped[int | None]


class OverseerrLink(db.Model):
    """Which Overseerr user a person is, matched by Plex account id (or set by an admin)."""

    __tablename__ = "overseerr_links"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    overseerr_user_id: Mapped[int]
    overseerr_name: Mapped[str] = mapped_column(String(255), default="")
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestFollower(db.Model):
    """Someone who asked for a title another person had already requested, and is told too."""

    __tablename__ = "request_followers"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("media_requests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
