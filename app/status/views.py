"""What the Status page shows, as plain data: states, uptimes, charts and incidents in words."""

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.models.base import utcnow
from app.models.health import (
    BAD_ANSWER,
    BAD_KEY,
    DOWN,
    ERROR,
    MAINTENANCE,
    PENDING,
    REFUSED,
    TIMEOUT,
    UNKNOWN,
    UP,
    Incident,
    ServiceState,
)

# ?range= of the latency chart: its span, and the words of its switch and caption.
RANGES = {
    "24h": (timedelta(hours=24), "24 h", "the last 24 hours"),
    "7d": (timedelta(days=7), "7 d", "the last 7 days"),
    "30d": (timedelta(days=30), "30 d", "the last 30 days"),
}
DEFAULT_RANGE = "24h"
UPTIME_WINDOWS = (
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
    ("30d", timedelta(days=30)),
)

STATE_WORDS = {
    UP: ("Up", "ok"),
    DOWN: ("Down", "bad"),
    PENDING: ("Checking again", "busy"),
    MAINTENANCE: ("Maintenance", "none"),
    UNKNOWN: ("Not checked yet", "none"),
}
# Why a service failed, for people who are not admins (the detail may name admin pages).
REASON_WORDS = {
    TIMEOUT: "Timed out",
    REFUSED: "Refused the connection",
    BAD_ANSWER: "Answered with something that is not its API",
    BAD_KEY: "Not reachable right now",
    ERROR: "Not reachable right now",
}


def range_key(raw: str | None) -> str:
    """The chart's range from the query string; anything unknown is 24 h."""
    return raw if raw in RANGES else DEFAULT_RANGE


def dom_id(key: str) -> str:
    """A stable element id for a service key: "kuma:12" is "kuma-12"."""
    return re.sub(r"[^a-z0-9-]", "-", key.lower())[:80] or "service"


def duration_words(delta: timedelta) -> str:
    """'45 s', '4 min', '2 h 5 min', '3 d 4 h'."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "")


def when_words(moment: datetime | None, now: datetime | None = None) -> str:
    """'10:04 UTC' today, '3 Dec 10:04 UTC' another day, '3 Dec 2025 10:04 UTC' another year."""
    if moment is None:
        return "—"
    now = now or utcnow()
    if moment.date() == now.date():
        return moment.strftime("%H:%M UTC")
    if moment.year == now.year:
        return f"{moment.day} {moment:%b %H:%M} UTC"
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def uptime_words(value: float | None) -> str:
    """'99.93 %', '100 %', or '—' with no checks; never rounded up to 100."""
    if value is None:
        return "—"
    if value >= 1:
        return "100 %"
    return f"{math.floor(value * 10000) / 100:.2f} %"


def paused_words(state: ServiceState, now: datetime | None = None) -> str:
    """'Checks paused until 10:15 UTC after 5 failures in a row' while the breaker is open."""
    now = now or utcnow()
    if state.retry_at is None or state.retry_at <= now:
        return ""
    return f"Checks paused until {state.retry_at:%H:%M} UTC after {state.fails} failures in a row"


def why_words(state_or_incident, admin: bool) -> str:
    """Why it failed: the check's own words for admins, plain words for everyone else."""
    reason = state_or_incident.reason
    if admin and state_or_incident.detail:
        return state_or_incident.detail
    return REASON_WORDS.get(reason, "Not reachable right now" if reason else "")


@dataclass
class ServiceView:
    key: str
    dom: str
    label: str
    kind: str
    state: str
    words: str
    tone: str
    since: datetime | None
    since_words: str
    why: str
    paused: str
    checked_at: datetime | None
    uptime: dict[str, str] = field(default_factory=dict)
    chart: dict | None = None
    group: str = ""  # a Kuma monitor's group on its status page


def service_view(
    state: ServiceState, uptimes: dict[str, float | None], admin: bool, now: datetime | None = None
) -> ServiceView:
    """One service's live part of the page: its state in words and its uptimes."""
    now = now or utcnow()
    words, tone = STATE_WORDS.get(state.state, STATE_WORDS[UNKNOWN])
    failing = state.state in (DOWN, PENDING) and bool(state.reason)
    since = state.since if state.state != UNKNOWN else None
    return ServiceView(
        key=state.key,
        dom=dom_id(state.key),
        label=state.label or state.key,
        kind=state.kind,
        state=state.state,
        words=words,
        tone=tone,
        since=since,
        since_words=when_words(since, now) if since else "",
        why=why_words(state, admin) if failing else "",
        paused=paused_words(state, now),
        checked_at=state.checked_at,
        uptime={name: uptime_words(uptimes.get(name)) for name, _ in UPTIME_WINDOWS},
        group=_group(state),
    )


def _group(state: ServiceState) -> str:
    group = (state.info or {}).get("group") if isinstance(state.info, dict) else None
    return group[:200] if isinstance(group, str) else ""


def chart_of(points: list[tuple[datetime, float | None]], span: timedelta) -> dict:
    """The chart macro's arguments for a latency series; no x at all when nothing was timed."""
    if not any(value is not None for _, value in points):
        return {"x": [], "values": [], "labels": []}
    fmt = "%H:%M" if span <= timedelta(days=1) else "%d %b %H:%M"
    return {
        "x": [int(moment.timestamp()) for moment, _ in points],
        "values": [value for _, value in points],
        "labels": [moment.strftime(fmt) for moment, _ in points],
    }


@dataclass
class IncidentView:
    id: int
    key: str
    label: str
    started: str
    started_at: datetime
    ended: str
    ongoing: bool
    duration: str
    why: str


def incident_view(incident: Incident, admin: bool, now: datetime | None = None) -> IncidentView:
    now = now or utcnow()
    end = incident.ended_at or now
    return IncidentView(
        id=incident.id,
        key=incident.service_key,
        label=incident.label or incident.service_key,
        started=when_words(incident.started_at, now),
        started_at=incident.started_at,
        ended=when_words(incident.ended_at, now) if incident.ended_at else "ongoing",
        ongoing=incident.ended_at is None,
        duration=duration_words(end - incident.started_at),
        why=why_words(incident, admin),
    )
