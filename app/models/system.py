"""Instance-wide state: settings and the history of system checks."""

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Setting(db.Model):
    """One instance-wide value; the key's primary key also serialises one-time actions."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HealthCheck(db.Model):
    """The result of one system check: each component's state at that moment."""

    __tablename__ = "health_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    healthy: Mapped[bool]
    # {"database": {"ok": true, "detail": "answered in 2 ms"}, ...}
    components: Mapped[dict] = mapped_column(JSON)
