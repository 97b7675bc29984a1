"""One check of each service, as a Finding: what it answered, how fast, and why not.

Probes never raise for an answer that is wrong: a timeout, a refusal, HTML or garbage JSON,
401/403 each become a Finding with its state DOWN and its reason (see app/models/health.py).
A service that is not set up gives None (Kuma: an empty list), and has no card.
"""

from dataclasses import dataclass, field


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


def probe_plex() -> Finding | None:
    """Plex: identity and version, library counts, and the active streams (for admins).

    info: {"version", "name", "counts": {"movie": n, ...}, "streams": [{"user", "title",
    "subtitle", "player", "state", "progress", "quality"}]}. None while Plex is not connected.
    """
    raise NotImplementedError


def probe_overseerr() -> Finding | None:
    """Overseerr/Seerr: reachable, version, pending requests. info: {"version", "pending"}."""
    raise NotImplementedError


def probe_kuma() -> list[Finding]:
    """Uptime Kuma itself (key "kuma") and one Finding per monitor on its status page.

    Kuma's info: {"title", "incidents": [{"title", "content", "style", "created"}],
    "maintenance": [{"title", "description", "status"}]}. A monitor's info: {"monitor_id",
    "group", "type", "last_ping_at", "uptime_24" (0..1 or None), "pings": [recent ms, oldest
    first, None for a down beat], "message"}; its state is Kuma's (down/up/pending/maintenance)
    and public is whether the admin made it visible. When Kuma cannot be read, only its own
    Finding (DOWN) is returned and the monitors keep their last state.
    """
    raise NotImplementedError


def probe_medianest() -> Finding:
    """MediaNest itself: web processes, workers, queue depth, disk, database and Redis.

    info: {"components": {name: {"ok", "detail", "value"?}}} for "web", "database", "redis",
    "workers", "queue", "disk". DOWN when the database or Redis fails or no worker runs.
    """
    raise NotImplementedError
