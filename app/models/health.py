"""Service health: each service's current state, its sampled history, and its incidents."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# ServiceState.state
UNKNOWN, UP, DOWN, PENDING, MAINTENANCE = "unknown", "up", "down", "pending", "maintenance"
# ServiceState.reason when a check failed
TIMEOUT, REFUSED, BAD_ANSWER, BAD_KEY = "timeout", "refused", "bad_answer", "bad_key"
ERROR = "error"
# HealthSample.resolution: one row per minute, rolled up per hour after 2 days, per day after 30.
MINUTE, HOUR, DAY = "m", "h", "d"


class ServiceState(db.Model):
    """What the last checks found for one service: the row every dashboard card is drawn from.

    key: "plex", "overseerr", "kuma" (Uptime Kuma itself), "kuma:<monitor id>", "medianest".
    """

    __tablename__ = "service_states"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # plex | overseerr | kuma | monitor | medianest
    label: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default=UNKNOWN)
    reason: Mapped[str] = mapped_column(String(16), default="")  # TIMEOUT ... when it failed
    detail: Mapped[str] = mapped_column(Text, default="")  # in words, for people
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # state is what it is since
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ms: Mapped[float | None] = mapped_column(Float)  # response time of the last check
    fails: Mapped[int] = mapped_column(Integer, default=0)  # failed checks in a row
    # Circuit breaker: after repeated failures the service is not probed again before this.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # shown to people, not only admins
    position: Mapped[int] = mapped_column(Integer, default=0)  # order of the cards
    # Per kind: version, counts, streams, pending requests, uptime_24, recent pings, ...
    info: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HealthSample(db.Model):
    """Checks of one service in one minute, hour or day: how many, how many up, response times."""

    __tablename__ = "health_samples"
    __table_args__ = (UniqueConstraint("service_key", "resolution", "bucket_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_key: Mapped[str] = mapped_column(String(80))
    resolution: Mapped[str] = mapped_column(String(1))  # MINUTE | HOUR | DAY
    bucket_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # start of the bucket
    checks: Mapped[int] = mapped_column(Integer, default=0)
    ups: Mapped[int] = mapped_column(Integer, default=0)  # checks that found it up (or maintenance)
    ms_total: Mapped[float] = mapped_column(Float, default=0.0)  # over checks with a time
    ms_count: Mapped[int] = mapped_column(Integer, default=0)
    ms_max: Mapped[float | None] = mapped_column(Float)


class Incident(db.Model):
    """One down→up period of a service, with why it went down."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_key: Mapped[str] = mapped_column(String(80), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the first failed check
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(String(16), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    # Set when admins were told, so a replayed check never tells them twice.
    down_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    up_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AppError(db.Model):
    """An unexpected error in a page or a job, kept for Admin → System with its correlation id."""

    __tablename__ = "app_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    correlation_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(300), default="")  # "GET /library", "job <name>"
    error: Mapped[str] = mapped_column(String(200), default="")  # the exception's type
    message: Mapped[str] = mapped_column(Text, default="")
    trace: Mapped[str] = mapped_column(Text, default="")  # the last frames, for admins
