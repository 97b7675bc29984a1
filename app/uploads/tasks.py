"""Uploads left halfway are removed after a day; due processing and Plex steps are started."""

import logging
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.uploads import UPLOADING, Upload
from app.uploads import storage

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(days=1)


def remove_abandoned() -> int:
    """Hourly: remove uploads that stopped arriving a day ago. Returns how many went."""
    before = utcnow() - ABANDONED_AFTER
    rows = db.session.scalars(
        select(Upload).where(Upload.state == UPLOADING, Upload.updated_at < before).limit(500)
    ).all()
    for row in rows:
        storage.part_path(row.key).unlink(missing_ok=True)
        db.session.delete(row)
    db.session.commit()
    if rows:
        log.info("Removed %d uploads abandoned halfway", len(rows))
    return len(rows)


def sweep_uploads() -> dict:
    """Every 30 s: start processing and Plex steps no job took, or whose job died."""
    from app.uploads import placing, processing

    return {"processing": processing.sweep(), "placing": placing.sweep()}
