"""Home videos uploaded by people: the file as it arrives (tus), then what processing makes."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

UPLOADING = "uploading"  # bytes still arriving
UPLOADED = "uploaded"  # every byte is here; processing comes next
FAILED = "failed"


class Upload(db.Model):
    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_user_state", "user_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address names the upload by this random key, never by a row id or a file name.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # As the person's browser named it, cleaned; only ever shown, never used as a path.
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default=UPLOADING)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
