"""Home videos uploaded by people: the file as it arrives (tus), what processing makes, Plex.

The row is the truth. A processing job that dies leaves state "processing" with a lease that
runs out, and the sweeper starts it again; its outputs are written beside their final names
and renamed into place, so a re-run never leaves two.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

UPLOADING = "uploading"  # bytes still arriving
UPLOADED = "uploaded"  # every byte is here; processing is due
PROCESSING = "processing"  # a job reads it and makes the poster, the scrub strip and the preview
READY = "ready"  # processed: the person may send it to Plex
PLACING = "placing"  # copied into the Home Videos folder, Plex scanning it
IN_PLEX = "in_plex"  # Plex has it
FAILED = "failed"  # error says why, in words
STATES = (UPLOADING, UPLOADED, PROCESSING, READY, PLACING, IN_PLEX, FAILED)

# Upload.kind, as ffprobe found it (never from the name)
VIDEO, AUDIO, IMAGE = "video", "audio", "image"


class Upload(db.Model):
    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_user_state", "user_id", "state"),
        Index("ix_uploads_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address names the upload by this random key, never by a row id or a file name.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # As the person's browser named it, cleaned; only ever shown, never used as a path.
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default=UPLOADING)
    error: Mapped[str] = mapped_column(Text, default="")
    # Processing: 0-100 while it runs; attempts counts tries (a killed worker's too), bounded.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the job holding this row lets go of it (a lease), or when the next step is due.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What ffprobe read
    kind: Mapped[str] = mapped_column(String(8), default="")
    container: Mapped[str] = mapped_column(String(16), default="")  # the extension we store it as
    duration: Mapped[float | None] = mapped_column(Float)  # seconds
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    video_codec: Mapped[str] = mapped_column(String(32), default="")
    audio_codec: Mapped[str] = mapped_column(String(32), default="")
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # creation date in the file
    camera: Mapped[str] = mapped_column(String(200), default="")
    converted: Mapped[bool] = mapped_column(default=False)  # re-encoded to H.264/AAC MP4
    # Into Plex: what the person chose, where the file went (relative to the Home Videos folder)
    title: Mapped[str] = mapped_column(String(200), default="")
    collection: Mapped[str] = mapped_column(String(200), default="")
    plex_path: Mapped[str] = mapped_column(String(1000), default="")
    plex_rating_key: Mapped[str | None] = mapped_column(String(32))
    plex_show_key: Mapped[str | None] = mapped_column(String(32))  # the collection
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
