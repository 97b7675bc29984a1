"""Reading the health history: uptime over a window, latency series, incidents."""

from datetime import datetime

from app.models import Incident


def uptime(keys: list[str], since: datetime) -> dict[str, float | None]:
    """Share of checks since `since` that found each service up (0..1), None with no checks.

    Counts minute, hour and day samples alike (weighted by their checks), so 30 days read the
    rolled-up rows."""
    raise NotImplementedError


def latency(key: str, since: datetime, points: int = 120) -> list[tuple[datetime, float | None]]:
    """Mean response time (ms) of a service since `since`, in at most `points` buckets, oldest
    first; None for a bucket with no timed check."""
    raise NotImplementedError


def incidents(key: str | None = None, limit: int = 50) -> list[Incident]:
    """Incidents newest first (open ones first), of one service or of all."""
    raise NotImplementedError
