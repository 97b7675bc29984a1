"""wsgi:app for the dashboard bench, with a stand-in for the health history's uptime until the
history lands (the page reads 24 h uptime of Plex, Overseerr and MediaNest through it)."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models.health import HealthSample
from app.status import history
from wsgi import app

UPTIME = "app.status.history.uptime"


def _uptime(keys, since):
    """Checks up over checks since `since`, over every resolution."""
    rows = db.session.execute(
        select(HealthSample.service_key, func.sum(HealthSample.ups), func.sum(HealthSample.checks))
        .where(HealthSample.service_key.in_(list(keys)), HealthSample.bucket_at >= since)
        .group_by(HealthSample.service_key)
    )
    found = {key: (ups / checks if checks else None) for key, ups, checks in rows}
    return {key: found.get(key) for key in keys}


with app.app_context():
    try:
        history.uptime([], datetime.now(UTC))
    except NotImplementedError:
        history.uptime = _uptime
        UPTIME = "bench stand-in (history.uptime not implemented yet)"

__all__ = ["app", "UPTIME"]
