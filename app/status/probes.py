"""One check of each service, as a Finding: what it answered, how fast, and why not.

Probes never raise for an answer that is wrong: a timeout, a refusal, HTML or garbage JSON,
401/403 each become a Finding with its state DOWN and its reason (see app/models/health.py).
A service that is not set up gives None (Kuma: an empty list), and has no card.
"""

import logging
import time
from dataclasses import dataclass, field

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app import settings
from app.extensions import db, redis_conn
from app.integrations import overseerr, plex_server, uptime_kuma
from app.models.health import (
    BAD_ANSWER,
    BAD_KEY,
    DOWN,
    ERROR,
    MAINTENANCE,
    PENDING,
    REFUSED,
    TIMEOUT,
    UP,
)
from app.models.library import LibrarySection, MediaItem
from app.ops import services as ops
from app.status import disk_alert

log = logging.getLogger(__name__)

KUMA_STATES = {0: DOWN, 1: UP, 2: PENDING, 3: MAINTENANCE}
PINGS = 30  # recent pings a monitor's sparkline draws
LABELS = {"web": "Web", **ops.COMPONENT_LABELS}


@dataclass
class Finding:
    key: str  # "plex", "overseerr", "kuma", "kuma:<monitor id>", "medianest"
    kind: str  # plex | overseerr | kuma | monitor | medianest
    label: str
    state: str  # UP | DOWN | PENDING | MAINTENANCE (a Kuma monitor may say the last two)
    reason: str = ""  # TIMEOUT | REFUSED | BAD_ANSWER | BAD_KEY | ERROR, when DOWN
    detail: str = ""  # in words for people: "Plex 1.41.3 answering", "Timed out after 5 s"
    ms: float | None = None
    info: dict = field(default_factory=dict)  # what the card shows, per kind (see each probe)
    public: bool = False  # shown to people who are not admins


def _timeout() -> float:
    return float(current_app.config["HEALTH_TIMEOUT"])


class _Clock:
    """Milliseconds since it was made."""

    def __init__(self):
        self.started = time.perf_counter()

    def ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)


def _down(key, kind, label, reason, detail, clock, **extra) -> Finding:
    return Finding(key, kind, label, DOWN, reason, detail[:500], clock.ms(), **extra)


def library_counts() -> dict:
    """Items per type in the libraries people can see, from MediaNest's own synced catalog."""
    rows = db.session.execute(
        select(MediaItem.type, func.count())
        .join(LibrarySection, LibrarySection.id == MediaItem.section_id)
        .where(
            LibrarySection.removed_at.is_(None),
            LibrarySection.hidden.is_(False),
            MediaItem.removed_at.is_(None),
        )
        .group_by(MediaItem.type)
    )
    return {kind: count for kind, count in rows.all()}


def probe_plex() -> Finding | None:
    """Plex: identity and version, library counts, and the active streams (for admins).

    info: {"version", "name", "counts": {"movie": n, ...}, "streams": [{"user", "title",
    "subtitle", "player", "state", "progress", "quality"}]}. None while Plex is not connected.
    streams is None when the server would not say (an old server, or a broken answer);
    progress is 0..1 or None; quality "Transcode" or "Direct play".
    """
    url, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    if not (url and token):
        return None
    clock, timeout = _Clock(), _timeout()
    try:
        found = plex_server.read_status(url, token, timeout)
    except plex_server.PlexServerError as exc:
        return _down("plex", "plex", "Plex", exc.reason, str(exc), clock, public=True)
    except Exception as exc:  # a probe never raises: anything else is an ERROR finding
        log.warning("Plex check failed: %r", exc)
        return _down("plex", "plex", "Plex", ERROR, "The Plex check failed.", clock, public=True)
    label = "Plex"
    expected = settings.get("plex.machine_id")
    if expected and found.machine_id != expected:
        detail = f"{url} now answers as another Plex server ({found.name or found.machine_id})."
        return _down("plex", "plex", label, BAD_ANSWER, detail, clock, public=True)
    ms = clock.ms()  # the reachability answer; sessions and counts are extras
    try:
        streams = plex_server.read_sessions(url, token, timeout)
    except Exception as exc:  # an old server or a broken answer: Plex itself is still up
        log.info("Plex sessions not read: %s", exc)
        streams = None
    try:
        counts = library_counts()
    except SQLAlchemyError:
        db.session.rollback()
        counts = {}
    detail = f"{found.name or 'Plex'} answering" + (
        f" (Plex {found.version})" if found.version else ""
    )
    info = {"version": found.version, "name": found.name, "counts": counts, "streams": streams}
    return Finding("plex", "plex", label, UP, "", detail, ms, info, public=True)


def _overseerr_reason(exc: Exception) -> str:
    if isinstance(exc, overseerr.TimedOut):
        return TIMEOUT
    if isinstance(exc, overseerr.Unreachable):
        return REFUSED
    if isinstance(exc, overseerr.BadAnswer | overseerr.Invalid | overseerr.NotFound):
        return BAD_ANSWER
    if isinstance(exc, overseerr.BadKey | overseerr.Refused):
        return BAD_KEY
    return ERROR


def probe_overseerr() -> Finding | None:
    """Overseerr/Seerr: reachable, version, pending requests. info: {"version", "pending"}.

    pending is None when the server would not count its requests.
    """
    url, key = settings.get("overseerr.url"), settings.get("overseerr.api_key")
    if not (url and key):
        return None
    clock = _Clock()
    # Not guarded: a health check must neither trip nor wait for the requests' breaker.
    client = overseerr.OverseerrClient(url, key, timeout=_timeout())
    label = "Overseerr"
    try:
        status = client.status()
        version = status.get("version") if isinstance(status, dict) else None
        if not isinstance(version, str) or not version:
            raise overseerr.BadAnswer("The Overseerr address answered without a version.")
        try:
            counts = client.request_count()
        except overseerr.NotFound:
            counts = {}
    except overseerr.OverseerrError as exc:
        detail = str(exc)
        if isinstance(exc, overseerr.Refused):
            detail = (
                "Overseerr refused MediaNest's API key: an admin must enter the current one "
                "under Admin → Request settings."
            )
        return _down(
            "overseerr", "overseerr", label, _overseerr_reason(exc), detail, clock, public=True
        )
    except Exception as exc:
        log.warning("Overseerr check failed: %r", exc)
        return _down(
            "overseerr",
            "overseerr",
            label,
            ERROR,
            "The Overseerr check failed.",
            clock,
            public=True,
        )
    pending = counts.get("pending") if isinstance(counts, dict) else None
    if isinstance(pending, bool) or not isinstance(pending, int | float) or pending < 0:
        pending = None
    version = version[:64]
    words = f"Overseerr {version} answering"
    info = {"version": version, "pending": None if pending is None else int(pending)}
    return Finding("overseerr", "overseerr", label, UP, "", words, clock.ms(), info, public=True)


def public_monitor_ids() -> set[int]:
    """The monitors the admin made visible to everyone (kuma.public_monitors)."""
    raw = settings.get("kuma.public_monitors") or ""
    found = (uptime_kuma.monitor_id(part.strip(), text=True) for part in raw.split(","))
    return {ident for ident in found if ident is not None}


def _monitor_reason(message: str) -> str:
    """Why Kuma says a monitor is down, from its message (Kuma's checks say it in words)."""
    words = message.lower()
    if "timeout" in words or "timed out" in words:
        return TIMEOUT
    if any(m in words for m in ("econnrefused", "enotfound", "getaddrinfo", "ehostunreach")):
        return REFUSED
    if any(m in words for m in ("401", "403", "unauthorized", "forbidden")):
        return BAD_KEY
    if "status code" in words or "keyword" in words or "json" in words:
        return BAD_ANSWER
    return ERROR


def _monitor_finding(monitor, beats, uptime, public: bool) -> Finding:
    key = f"kuma:{monitor.id}"
    last = beats[-1] if beats else None
    info = {
        "monitor_id": monitor.id,
        "group": monitor.group,
        "type": monitor.type,
        "last_ping_at": last.time.isoformat() if last and last.time else None,
        "uptime_24": uptime,
        "pings": [b.ping if b.status != 0 else None for b in beats[-PINGS:]],
        "message": last.msg if last else "",
    }
    if last is None:
        return Finding(
            key, "monitor", monitor.name, PENDING, "", "No heartbeat yet", None, info, public
        )
    state = KUMA_STATES[last.status]
    reason = _monitor_reason(last.msg) if state == DOWN else ""
    detail = (
        last.msg
        or {
            DOWN: "Down, says Uptime Kuma",
            UP: "Up",
            PENDING: "Pending",
            MAINTENANCE: "In maintenance",
        }[state]
    )
    return Finding(key, "monitor", monitor.name, state, reason, detail, last.ping, info, public)


def probe_kuma() -> list[Finding]:
    """Uptime Kuma itself (key "kuma") and one Finding per monitor on its status page.

    Kuma's info: {"title", "incidents": [{"title", "content", "style", "created"}],
    "maintenance": [{"title", "description", "status"}]}. A monitor's info: {"monitor_id",
    "group", "type", "last_ping_at", "uptime_24" (0..1 or None), "pings": [recent ms, oldest
    first, None for a down beat], "message"}; its state is Kuma's (down/up/pending/maintenance)
    and public is whether the admin made it visible. When Kuma cannot be read, only its own
    Finding (DOWN) is returned and the monitors keep their last state.
    """
    url, slug = settings.get("kuma.url"), settings.get("kuma.slug")
    if not (url and slug):
        return []
    clock = _Clock()
    label = "Uptime Kuma"
    try:
        client = uptime_kuma.client(url, slug)
        page = client.status_page()
        beats = client.heartbeats()
    except uptime_kuma.KumaError as exc:
        return [_down("kuma", "kuma", label, exc.reason, str(exc), clock)]
    except Exception as exc:
        log.warning("Uptime Kuma check failed: %r", exc)
        return [_down("kuma", "kuma", label, ERROR, "The Uptime Kuma check failed.", clock)]
    visible = public_monitor_ids()
    info = {"title": page.title, "incidents": page.incidents, "maintenance": page.maintenance}
    found = [Finding("kuma", "kuma", label, UP, "", page.summary(), clock.ms(), info)]
    for monitor in page.monitors:
        found.append(
            _monitor_finding(
                monitor,
                beats.beats.get(monitor.id, []),
                beats.uptime_24.get(monitor.id),
                monitor.id in visible,
            )
        )
    return found


def _web_result() -> dict:
    from app.realtime import heartbeat

    count = heartbeat.alive(redis_conn())
    if count == 0:
        return {"ok": False, "detail": "no web process has checked in", "value": 0}
    return {"ok": True, "detail": f"{count} running", "value": count}


def probe_medianest() -> Finding:
    """MediaNest itself: web processes, workers, queue depth, disk, database and Redis.

    info: {"components": {name: {"ok", "detail", "value"?}}} for "web", "database", "redis",
    "workers", "queue", "disk". DOWN when the database or Redis fails or no worker runs.
    """
    clock = _Clock()
    components = {"database": ops.check_database(), "redis": ops.check_redis()}
    for name, check in (
        ("web", _web_result),
        ("workers", ops._workers_result),
        ("queue", ops._queue_result),
        ("disk", disk_alert.disk_room),
    ):
        try:
            components[name] = check()
        except (RedisError, OSError) as exc:
            components[name] = {"ok": False, "detail": ops._short_error(exc)}
        except Exception as exc:
            log.warning("MediaNest check of %s failed: %r", name, exc)
            components[name] = {"ok": False, "detail": "the check failed"}
    order = ("web", "database", "redis", "workers", "queue", "disk")
    components = {name: components[name] for name in order}
    failing = [n for n in ("database", "redis", "workers") if not components[n]["ok"]]
    info = {"components": components}
    if failing:
        words = "; ".join(f"{LABELS.get(n, n)}: {components[n]['detail']}" for n in failing)
        return _down(
            "medianest", "medianest", "MediaNest", ERROR, words, clock, info=info, public=True
        )
    troubles = [n for n, c in components.items() if not c["ok"]]
    detail = (
        "All parts working"
        if not troubles
        else "Working; "
        + "; ".join(f"{LABELS.get(n, n)}: {components[n]['detail']}" for n in troubles)
    )
    return Finding(
        "medianest", "medianest", "MediaNest", UP, "", detail, clock.ms(), info, public=True
    )
