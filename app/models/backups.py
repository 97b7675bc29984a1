"""The backup registry: every backup made, where it is, and whether it was proven to restore.

A row is written before the job runs ("queued"); the job takes it with a lease, so a killed
worker's backup is taken again by the sweeper, and a finished one is never made twice.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED, REMOVED = "queued", "running", "done", "failed", "removed"
VERIFIED, NOT_VERIFIED = "verified", "not_verified"  # Backup.verified, once it was checked
# Backup.bucket_status: None when no bucket was set up; the copy's own life after that.
PENDING, UPLOADING, UPLOADED = "pending", "uploading", "uploaded"  # and FAILED, REMOVED


class Backup(db.Model):
    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    trigger: Mapped[str] = mapped_column(String(16), default="admin")  # schedule, admin, cli
    target: Mapped[str] = mapped_column(String(16), default="local")
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    database: Mapped[str] = mapped_column(String(16), default="")  # sqlite or postgresql
    schema: Mapped[str] = mapped_column(String(32), default="")  # the migration it was made at
    rows: Mapped[int | None] = mapped_column(BigInteger)  # in every table together
    verified: Mapped[str | None] = mapped_column(String(16))
    verify_detail: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The copy in the S3-compatible bucket, kept by the bucket's own retention.
    bucket_status: Mapped[str | None] = mapped_column(String(16), index=True)
    bucket_key: Mapped[str] = mapped_column(String(300), default="")
    bucket_error: Mapped[str] = mapped_column(Text, default="")
    bucket_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When a pending copy is tried next; while uploading, when its lease ends.
    bucket_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bucket_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it was uploaded
