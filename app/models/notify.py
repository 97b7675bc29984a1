"""Outbound notifications: channels, people's own targets and choices, the outbox and its
deliveries."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# Delivery.state
PENDING, SENDING, SENT, RETRYING, FAILED, CANCELLED = (
    "pending",
    "sending",
    "sent",
    "retrying",
    "failed",
    "cancelled",
)
# Delivery.channel: an admin channel, a person's email address, a person's own Apprise target.
VIA_CHANNEL, VIA_EMAIL, VIA_TARGET = "channel", "email", "target"


class NotifyChannel(db.Model):
    """An admin-configured destination (an Apprise URL; email over SMTP is one too)."""

    __tablename__ = "notify_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))  # the Apprise scheme family: mailto, discord…
    secret_url: Mapped[str] = mapped_column(Text)  # the Apprise URL, encrypted (app.crypto)
    summary: Mapped[str] = mapped_column(String(300), default="")  # shown: no secrets in it
    admin_alerts: Mapped[bool] = mapped_column(default=True)  # receives events meant for admins
    enabled: Mapped[bool] = mapped_column(default=True)
    from_environment: Mapped[bool] = mapped_column(default=False)  # MEDIANEST_NOTIFY_URLS
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    test_result: Mapped[str] = mapped_column(String(500), default="")


class PersonTarget(db.Model):
    """One of a person's own Apprise URLs (their ntfy topic, their Discord webhook…)."""

    __tablename__ = "person_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    secret_url: Mapped[str] = mapped_column(Text)  # encrypted
    summary: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotifyProfile(db.Model):
    """A person's delivery settings: address being verified, quiet hours, digests."""

    __tablename__ = "notify_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # An address asked for but not yet confirmed; User.email is the confirmed one.
    email_pending: Mapped[str | None] = mapped_column(String(255))
    email_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email_token_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "22:00", in `timezone`
    quiet_end: Mapped[str | None] = mapped_column(String(5))  # "07:30"
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest: Mapped[bool] = mapped_column(default=False)  # one message a day instead of each
    digest_hour: Mapped[int] = mapped_column(default=8)
    newsletter: Mapped[str] = mapped_column(String(8), default="off")  # off | daily | weekly
    newsletter_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotifyPref(db.Model):
    """For one person and one event type, which ways they want it (absent: the type's defaults)."""

    __tablename__ = "notify_prefs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=False)
    targets: Mapped[bool] = mapped_column(default=False)


class NotifyEvent(db.Model):
    """The outbox: one row per event, committed with what caused it; fanned out by a job."""

    __tablename__ = "notify_events"
    __table_args__ = (Index("ix_notify_events_unfanned", "fanned_out_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    # Who it is for: these people, and/or every admin (resolved when fanned out).
    user_ids: Mapped[list] = mapped_column(JSON, default=list)
    admins: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))  # a path in MediaNest ("/requests/4")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(db.Model):
    """One event to one destination. Due deliveries to one destination go out as one message."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "target_key"),  # fanning out twice adds nothing
        Index("ix_notify_deliveries_due", "state", "due_at"),
        Index("ix_notify_deliveries_target", "target_key", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notify_events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # VIA_CHANNEL | VIA_EMAIL | VIA_TARGET
    channel_id: Mapped[int | None]  # NotifyChannel.id or PersonTarget.id
    # "channel:3", "email:12", "target:7": what one message goes to.
    target_key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300), default="")  # "Email to alice", no secrets
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
