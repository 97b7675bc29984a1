"""The service cards: what each ServiceState row shows to an admin and to everyone else.

Everything here reads stored state only, and treats every value a probe stored (labels and
messages from Uptime Kuma included) as untrusted: wrong types are skipped, long text is cut.
"""

from dataclasses import dataclass, field
from datetime import datetime

from app.dashboard.sparkline import sparkline
from app.dashboard.values import clip, count, number, parse_time
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
    ServiceState,
)

STATE_WORDS = {
    UP: "Up",
    DOWN: "Down",
    PENDING: "Checking again",
    MAINTENANCE: "Maintenance",
    UNKNOWN: "Not checked yet",
}
TONES = {UP: "ok", DOWN: "bad", PENDING: "warn", MAINTENANCE: "maint", UNKNOWN: "none"}
# Where an admin fixes a refused key, per kind: (endpoint, words).
FIX_AT = {
    "plex": ("admin.plex_settings", "Admin → Plex"),
    "overseerr": ("admin.requests_settings", "Admin → Requests"),
    "kuma": ("admin.status_settings", "Admin → Status settings"),
    "monitor": ("admin.status_settings", "Admin → Status settings"),
}
NOT_REACHABLE = "Not reachable right now"
# Library counts in words, in this order; other types are not shown.
COUNT_WORDS = (
    ("movie", "movie", "movies"),
    ("show", "show", "shows"),
    ("episode", "episode", "episodes"),
    ("artist", "artist", "artists"),
    ("album", "album", "albums"),
    ("track", "track", "tracks"),
    ("photo", "photo", "photos"),
)
COMPONENTS = (
    ("web", "Web"),
    ("workers", "Workers"),
    ("queue", "Queue"),
    ("disk", "Media disk"),
    ("database", "Database"),
    ("redis", "Redis"),
)
KIND_ORDER = {"plex": 0, "overseerr": 1, "kuma": 2, "monitor": 3}
LAST_KIND = 9  # MediaNest, and kinds this code does not know, come last
LABEL_CHARS = 80
MAX_STREAMS = 12
MAX_NOTICES = 5


def dom_id(key: str) -> str:
    """The card's stable id: "plex" → "service-plex", "kuma:12" → "service-kuma-12"."""
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in key.lower())
    return "service-" + safe[:90]


def seconds_words(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def percent(share: float | None) -> str | None:
    if share is None or not 0 <= share <= 1:
        return None
    return f"{share * 100:.2f} %".replace(".00 %", " %")


@dataclass
class Stream:
    user: str
    title: str
    subtitle: str
    player: str
    playing: bool
    progress: float | None  # 0..100
    quality: str


@dataclass
class Component:
    name: str
    label: str
    ok: bool
    detail: str


@dataclass
class Card:
    key: str
    kind: str
    label: str
    state: str
    words: str
    tone: str
    since: datetime | None = None
    reason: str = ""  # why it is down, in words for this viewer
    fix: tuple[str, str] | None = None  # (endpoint, words) where an admin fixes it
    detail: str = ""  # what the check said, for admins
    paused: str = ""  # the breaker holds its checks
    group: str = ""
    version: str = ""
    lines: list[str] = field(default_factory=list)  # per-kind facts in words
    streams: list[Stream] | None = None  # None: not shown or not known
    more_streams: int = 0
    components: list[Component] = field(default_factory=list)
    summary: str = ""  # MediaNest's one line for people who are not admins
    uptime: str | None = None  # "99.9 %" over 24 h
    last_ping: str = ""
    spark: list[str] = field(default_factory=list)  # SVG polyline points, one per unbroken run
    spark_title: str = ""
    pending_link: bool = False
    check_button: bool = False

    @property
    def dom_id(self) -> str:
        return dom_id(self.key)


def _info(state: ServiceState) -> dict:
    return state.info if isinstance(state.info, dict) else {}


def _reason(state: ServiceState, admin: bool, timeout: float) -> tuple[str, tuple | None]:
    if state.state != DOWN:
        return "", None
    if state.reason == TIMEOUT:
        return f"Timed out after {timeout:g} s", None
    if state.reason == REFUSED:
        return "Refused the connection", None
    if state.reason == BAD_ANSWER:
        return "Answered with something that is not its API", None
    if not admin:
        return NOT_REACHABLE, None
    if state.reason == BAD_KEY:
        fix = FIX_AT.get(state.kind)
        return "Refused the API key", fix
    if state.reason == ERROR:
        return "The check itself failed", None
    if state.kind == "monitor":
        return clip(_info(state).get("message")) or "Uptime Kuma reports it down", None
    return clip(state.detail) or NOT_REACHABLE, None


def _paused(state: ServiceState, now: datetime) -> str:
    retry = parse_time(state.retry_at)
    if retry is None or retry <= now:
        return ""
    fails = state.fails if isinstance(state.fails, int) and state.fails > 0 else None
    after = f" after {fails} failed checks in a row" if fails else ""
    return f"Checks paused for {seconds_words((retry - now).total_seconds())}{after}"


def counts_line(counts) -> str:
    """'300 movies · 30 shows · 1,200 episodes · 40 albums'."""
    if not isinstance(counts, dict):
        return ""
    parts = []
    for key, one, many in COUNT_WORDS:
        n = count(counts.get(key))
        if n is not None:
            parts.append(f"{n:,} {one if n == 1 else many}")
    return " · ".join(parts)


def streams(value) -> tuple[list[Stream] | None, int]:
    """The active streams (at most MAX_STREAMS) and how many more there are."""
    if not isinstance(value, list):
        return None, 0
    shown = []
    for raw in value[:MAX_STREAMS]:
        if not isinstance(raw, dict):
            continue
        progress = number(raw.get("progress"))
        if progress is not None:
            progress = min(progress * 100 if progress <= 1 else progress, 100.0)
        quality = clip(raw.get("quality"), LABEL_CHARS)
        shown.append(
            Stream(
                user=clip(raw.get("user"), LABEL_CHARS) or "Someone",
                title=clip(raw.get("title"), 120) or "Something",
                subtitle=clip(raw.get("subtitle"), 120),
                player=clip(raw.get("player"), LABEL_CHARS),
                playing=clip(raw.get("state"), 16).lower() != "paused",
                progress=progress,
                quality=quality,
            )
        )
    return shown, max(len(value) - MAX_STREAMS, 0)


def _monitor(card: Card, info: dict, state: ServiceState, now: datetime) -> None:
    card.group = clip(info.get("group"), LABEL_CHARS)
    card.uptime = percent(number(info.get("uptime_24")))
    ms = number(state.ms)
    pings = info.get("pings")
    if ms is None and isinstance(pings, list) and pings:
        ms = number(pings[-1])
    at = parse_time(info.get("last_ping_at"))
    parts = [f"{ms:.0f} ms"] if ms is not None else []
    if at is not None:
        parts.append(f"{seconds_words((now - at).total_seconds())} ago")
    card.last_ping = ", ".join(parts)
    card.spark, card.spark_title = sparkline(pings)


def _medianest(card: Card, info: dict, admin: bool) -> None:
    card.check_button = admin
    if not admin:
        if card.state == UP:
            card.summary = "Up and running"
        elif card.state in (DOWN, PENDING):
            card.summary = "Having trouble; the owner has been told"
        return
    found = info.get("components")
    found = found if isinstance(found, dict) else {}
    for name, label in COMPONENTS:
        part = found.get(name)
        if isinstance(part, dict):
            card.components.append(
                Component(name, label, bool(part.get("ok")), clip(part.get("detail"), 120))
            )


def build(state: ServiceState, admin: bool, now: datetime, timeout: float) -> Card:
    """One row as this viewer's card."""
    info = _info(state)
    shown = state.state if state.state in STATE_WORDS else UNKNOWN
    reason, fix = _reason(state, admin, timeout)
    card = Card(
        key=state.key,
        kind=state.kind,
        label=clip(state.label, LABEL_CHARS) or state.key,
        state=shown,
        words=STATE_WORDS[shown],
        tone=TONES[shown],
        since=parse_time(state.since) if shown != UNKNOWN else None,
        reason=reason,
        fix=fix if admin else None,
        paused=_paused(state, now),
        version=clip(info.get("version"), 40),
    )
    if admin and state.detail and shown in (DOWN, PENDING):
        detail = clip(state.detail)
        card.detail = "" if detail == reason else detail
    if state.kind == "plex":
        card.lines = [line for line in [counts_line(info.get("counts"))] if line]
        if admin:
            card.streams, card.more_streams = streams(info.get("streams"))
    elif state.kind == "overseerr":
        pending = count(info.get("pending"))
        if pending is not None:
            card.lines = [f"{pending:,} request{'' if pending == 1 else 's'} waiting for approval"]
            card.pending_link = admin and pending > 0
    elif state.kind == "monitor":
        _monitor(card, info, state, now)
    elif state.kind == "kuma" and shown not in (DOWN, PENDING) and state.detail:
        card.lines = [clip(state.detail)]  # which status page, how many monitors
    elif state.kind == "medianest":
        _medianest(card, info, admin)
    return card


def placeholder_medianest(admin: bool) -> Card:
    """MediaNest's card before its first check: never "up" by default."""
    return Card(
        key="medianest",
        kind="medianest",
        label="MediaNest",
        state=UNKNOWN,
        words=STATE_WORDS[UNKNOWN],
        tone=TONES[UNKNOWN],
        check_button=admin,
    )


def may_see(state: ServiceState, admin: bool) -> bool:
    """Admins see every card but people only public ones; Kuma's own card is for admins."""
    if admin:
        return True
    return bool(state.public) and state.kind != "kuma"


def sort_key(state: ServiceState, groups: dict[str, int]) -> tuple:
    kind = KIND_ORDER.get(state.kind, LAST_KIND)
    group = groups.get(clip(_info(state).get("group"), LABEL_CHARS), 0) if kind == 3 else 0
    position = state.position if isinstance(state.position, int) else 0
    return (kind, group, position, clip(state.label, LABEL_CHARS).lower(), state.key)


def ordered(states: list[ServiceState]) -> list[ServiceState]:
    """Plex, Overseerr, Kuma, its monitors group by group (groups in order of their first
    monitor), MediaNest."""
    groups: dict[str, int] = {}
    monitors = sorted(
        (s for s in states if s.kind == "monitor"),
        key=lambda s: (s.position if isinstance(s.position, int) else 0, s.key),
    )
    for s in monitors:
        groups.setdefault(clip(_info(s).get("group"), LABEL_CHARS), len(groups))
    return sorted(states, key=lambda s: sort_key(s, groups))


@dataclass
class Notice:
    kind: str  # incident | maintenance
    title: str
    text: str
    tone: str


INCIDENT_TONES = {"danger": "bad", "warning": "warn", "info": "busy", "primary": "busy"}


def notices(kuma: ServiceState | None) -> list[Notice]:
    """Kuma's active incidents and maintenance, from its own row."""
    if kuma is None:
        return []
    info = _info(kuma)
    found = []
    incidents = info.get("incidents")
    for raw in (incidents if isinstance(incidents, list) else [])[:MAX_NOTICES]:
        if isinstance(raw, dict):
            found.append(
                Notice(
                    "incident",
                    clip(raw.get("title"), 120) or "Incident",
                    clip(raw.get("content")),
                    INCIDENT_TONES.get(clip(raw.get("style"), 16), "warn"),
                )
            )
    maintenance = info.get("maintenance")
    for raw in (maintenance if isinstance(maintenance, list) else [])[:MAX_NOTICES]:
        if isinstance(raw, dict):
            status = clip(raw.get("status"), 32)
            title = clip(raw.get("title"), 120) or "Maintenance"
            if status == "scheduled":
                title += " (scheduled)"
            found.append(Notice("maintenance", title, clip(raw.get("description")), "maint"))
    return found
