"""The system check: is each part of MediaNest working, and what changed since last time."""

import shutil
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Worker
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from app import settings
from app.extensions import QUEUE_NAMES, db, redis_conn
from app.integrations.plex_server import PlexServerError, read_identity
from app.models import HealthCheck
from app.models.base import utcnow

COMPONENT_LABELS = {
    "plex": "Plex",
    "database": "Database",
    "redis": "Redis",
    "workers": "Workers",
    "queue": "Queue",
    "disk": "Media disk",
}
# The services people use, shown to everyone; the rest are MediaNest's internals, for admins.
PUBLIC_COMPONENTS = ("plex",)
PLAIN_WORDS = {True: "Up and reachable", False: "Not reachable right now"}
HISTORY_DAYS = 14
PLEX_TIMEOUT = 5


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except (SQLAlchemyError, RedisError, OSError) as exc:
        detail, ok = _short_error(exc), False
    elapsed_ms = (time.perf_counter() - started) * 1000
    return {"ok": ok, "detail": detail, "ms": round(elapsed_ms, 1)}


def _short_error(exc: Exception) -> str:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first_line[:200]


def check_database() -> dict:
    def probe():
        db.session.execute(text("SELECT 1"))
        return "answering"

    result = _timed(probe)
    if not result["ok"]:
        db.session.rollback()
    return result


def check_redis() -> dict:
    def probe():
        redis_conn().ping()
        return "answering"

    return _timed(probe)


def _workers_result() -> dict:
    count = len(Worker.all(connection=redis_conn()))
    if count == 0:
        return {"ok": False, "detail": "no worker is running", "value": 0}
    return {"ok": True, "detail": f"{count} running", "value": count}


def _queue_result() -> dict:
    depth = sum(Queue(name, connection=redis_conn()).count for name in QUEUE_NAMES)
    limit = current_app.config["MAX_QUEUE_DEPTH"]
    ok = depth <= limit
    detail = f"{depth} waiting" if ok else f"{depth} waiting (more than {limit})"
    return {"ok": ok, "detail": detail, "value": depth}


def _disk_result() -> dict:
    root = Path(current_app.config["MEDIA_ROOT"])
    root.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(root)
    free_gb = usage.free / 1024**3
    minimum = current_app.config["MIN_FREE_DISK_GB"]
    detail = f"{free_gb:.1f} GB free of {usage.total / 1024**3:.0f} GB"
    return {"ok": free_gb >= minimum, "detail": detail, "value": round(free_gb, 2)}


def check_plex() -> dict | None:
    """Whether the Plex server answers as the one connected; None while none is connected."""
    url, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    if not (url and token):
        return None

    def probe():
        identity = read_identity(url, token, timeout=PLEX_TIMEOUT)
        if identity.machine_id != settings.get("plex.machine_id"):
            raise OSError(f"{url} now answers as another Plex server ({identity.name}).")
        return f"{identity.name or 'Plex'} answering" + (
            f" (Plex {identity.version})" if identity.version else ""
        )

    started = time.perf_counter()
    try:
        return _timed(probe)
    except PlexServerError as exc:
        elapsed_ms = (time.perf_counter() - started) * 1000
        return {"ok": False, "detail": str(exc), "ms": round(elapsed_ms, 1)}


def _guarded(probe) -> dict:
    try:
        return probe()
    except (RedisError, OSError) as exc:
        return {"ok": False, "detail": _short_error(exc)}


def collect_status() -> dict:
    """Probe every component now (Plex only once it is connected)."""
    plex = check_plex()
    return ({"plex": plex} if plex else {}) | {
        "database": check_database(),
        "redis": check_redis(),
        "workers": _guarded(_workers_result),
        "queue": _guarded(_queue_result),
        "disk": _guarded(_disk_result),
    }


def latest_check() -> HealthCheck | None:
    return db.session.scalars(
        select(HealthCheck).order_by(HealthCheck.checked_at.desc(), HealthCheck.id.desc()).limit(1)
    ).first()


def recent_checks(limit: int = 50) -> list[HealthCheck]:
    return list(
        db.session.scalars(select(HealthCheck).order_by(HealthCheck.checked_at.desc()).limit(limit))
    )


def changed_components(previous: HealthCheck | None, current: dict) -> list[tuple[str, bool]]:
    """Components whose health flipped since the previous check, as (name, now_ok)."""
    if previous is None:
        return [(name, False) for name, state in current.items() if not state["ok"]]
    flips = []
    for name, state in current.items():
        before = previous.components.get(name, {}).get("ok", True)
        if before != state["ok"]:
            flips.append((name, state["ok"]))
    return flips


def record_check(components: dict) -> tuple[HealthCheck, list[tuple[str, bool]]]:
    """Store a check and return it with the components that changed health."""
    previous = latest_check()
    row = HealthCheck(healthy=all(c["ok"] for c in components.values()), components=components)
    db.session.add(row)
    cutoff = utcnow() - timedelta(days=HISTORY_DAYS)
    db.session.execute(delete(HealthCheck).where(HealthCheck.checked_at < cutoff))
    db.session.commit()
    return row, changed_components(previous, components)


def status_view(check: HealthCheck | None) -> dict | None:
    """What the status card shows, as plain data (also sent in events)."""
    if check is None:
        return None
    return {
        "healthy": check.healthy,
        "checked_at": check.checked_at.isoformat(),
        "components": [
            {
                "name": name,
                "label": COMPONENT_LABELS.get(name, name),
                "public": name in PUBLIC_COMPONENTS,
                "plain": PLAIN_WORDS[bool(check.components[name].get("ok"))],
                **check.components[name],
            }
            for name in COMPONENT_LABELS
            if name in check.components
        ],
    }
