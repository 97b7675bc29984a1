"""Uptime Kuma: its public status page and heartbeats, read with bounds, errors in plain words.

Kuma has no API spec; the shapes are from its server/routers/status-page-router.js (see
shared/specs/README.md). ``/api/status-page/{slug}`` answers the page, its groups of monitors, its
maintenance, and ``incident`` (one object, up to 2.0.x) or ``incidents`` (a list, 2.1+).
``/api/status-page/heartbeat/{slug}`` answers the last beats per monitor and the 24 h uptime.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

MAX_BYTES = 2 * 1024 * 1024
MAX_MONITORS = 500
MAX_BEATS = 100
MAX_ID = 2**63 - 1
NAME_LENGTH = 200
TEXT_LENGTH = 2000
SLUG_RULE = r"^[a-z0-9-]{1,64}$"

# Heartbeat.status
DOWN, UP, PENDING, MAINTENANCE = 0, 1, 2, 3


class KumaError(Exception):
    """Kuma gave no usable answer; str() is written for people."""

    reason = "error"


class TimedOut(KumaError):
    reason = "timeout"


class Unreachable(KumaError):
    reason = "refused"


class BadAnswer(KumaError):
    """A 5xx, an HTML page, a body that is not JSON or not Kuma's shape, or one too big."""

    reason = "bad_answer"


class BadKey(KumaError):
    """401/403: the metrics API key was refused."""

    reason = "bad_key"


@dataclass
class Monitor:
    id: int
    name: str
    type: str = ""
    url: str = ""
    group: str = ""


@dataclass
class StatusPage:
    title: str
    monitors: list[Monitor] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    maintenance: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        """The page in words: "Status page 'Home' with 6 monitors in 2 groups"."""
        monitors, groups = len(self.monitors), len(self.groups)
        words = f"Status page '{self.title}' with {monitors} monitor{'s' * (monitors != 1)}"
        return words + f" in {groups} group{'s' * (groups != 1)}"


@dataclass
class Beat:
    status: int
    time: datetime | None
    ping: float | None
    msg: str = ""


@dataclass
class Heartbeats:
    beats: dict[int, list[Beat]] = field(default_factory=dict)  # oldest first
    uptime_24: dict[int, float] = field(default_factory=dict)


# -- parsing: pure, for any JSON value -----------------------------------------------------------


def _text(value, length: int = NAME_LENGTH) -> str:
    return value.strip()[:length] if isinstance(value, str) else ""


def monitor_id(value, *, text: bool = False) -> int | None:
    """A monitor id: a positive int up to 2^63 - 1 (with text, also its digits); None otherwise."""
    if isinstance(value, bool):
        return None
    if text and isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def parse_time(value) -> datetime | None:
    """Kuma's "YYYY-MM-DD HH:mm:ss" (UTC, sometimes with milliseconds or an ISO "T")."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value.strip().replace("T", " ").removesuffix("Z")
    for shape in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, shape).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return None
    return float(value)


def _incident(raw) -> dict | None:
    if not isinstance(raw, dict) or not (raw.get("title") or raw.get("content")):
        return None
    return {
        "title": _text(raw.get("title")),
        "content": _text(raw.get("content"), TEXT_LENGTH),
        "style": _text(raw.get("style"), 16) or "info",
        "created": _text(raw.get("createdDate") or raw.get("created"), 40),
    }


def _maintenance(raw) -> dict | None:
    if not isinstance(raw, dict) or not raw.get("title"):
        return None
    return {
        "title": _text(raw.get("title")),
        "description": _text(raw.get("description"), TEXT_LENGTH),
        "status": _text(raw.get("status"), 32),
    }


def parse_status_page(data) -> StatusPage:
    """The status page from Kuma's JSON; raises BadAnswer for anything not of its shape."""
    if not isinstance(data, dict) or not isinstance(data.get("publicGroupList"), list):
        raise BadAnswer("Uptime Kuma's answer is not a status page (no list of monitor groups).")
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    page = StatusPage(title=_text(config.get("title")) or "Uptime Kuma")
    seen: set[int] = set()
    for group in data["publicGroupList"]:
        if not isinstance(group, dict):
            continue
        name = _text(group.get("name"))
        monitors = group.get("monitorList") if isinstance(group.get("monitorList"), list) else []
        page.groups.append(name)
        for raw in monitors:
            if not isinstance(raw, dict):
                continue
            found = monitor_id(raw.get("id"))
            if found is None or found in seen:
                continue
            if len(page.monitors) >= MAX_MONITORS:
                break
            seen.add(found)
            page.monitors.append(
                Monitor(
                    found,
                    _text(raw.get("name")) or f"Monitor {found}",
                    _text(raw.get("type"), 32),
                    _text(raw.get("url"), TEXT_LENGTH),
                    name,
                )
            )
    # 2.1+ sends a list; up to 2.0 one object or null. Accept either, and both at once.
    incidents = data.get("incidents") if isinstance(data.get("incidents"), list) else []
    candidates = [*incidents[:50], data.get("incident")]
    page.incidents = [found for raw in candidates if (found := _incident(raw))]
    maintenance = data.get("maintenanceList")
    maintenance = maintenance[:50] if isinstance(maintenance, list) else []
    page.maintenance = [found for raw in maintenance if (found := _maintenance(raw))]
    return page


def parse_heartbeats(data) -> Heartbeats:
    """The beats and 24 h uptime per monitor; raises BadAnswer for anything not of their shape."""
    if not isinstance(data, dict) or not isinstance(data.get("heartbeatList"), dict):
        raise BadAnswer("Uptime Kuma's answer has no heartbeat list.")
    found = Heartbeats()
    for key, raw in list(data["heartbeatList"].items())[:MAX_MONITORS]:
        ident = monitor_id(key, text=True)
        if ident is None or not isinstance(raw, list):
            continue
        beats = []
        for beat in raw[-MAX_BEATS:]:
            if not isinstance(beat, dict) or beat.get("status") not in (0, 1, 2, 3):
                continue
            if isinstance(beat.get("status"), bool):
                continue
            ping = _number(beat.get("ping"))
            beats.append(
                Beat(
                    beat["status"], parse_time(beat.get("time")), ping, _text(beat.get("msg"), 500)
                )
            )
        found.beats[ident] = beats
    uptimes = data.get("uptimeList") if isinstance(data.get("uptimeList"), dict) else {}
    for key, value in list(uptimes.items())[: MAX_MONITORS * 4]:
        ident, _, window = str(key).partition("_")
        ident = monitor_id(ident, text=True)
        ratio = _number(value)
        if ident is not None and window == "24" and ratio is not None:
            found.uptime_24[ident] = min(ratio, 1.0)
    return found


def loads(body: bytes):
    """JSON from bytes, refusing what is not JSON or nests too deep to read."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise BadAnswer(
            "Uptime Kuma answered with something that is not JSON (or nested too deep to read)."
        ) from None


# -- the client ----------------------------------------------------------------------------------


class KumaClient:
    """One Kuma status page: base URL, slug, timeout, and optionally the metrics API key."""

    def __init__(self, base_url: str, slug: str, *, timeout: float = 10, metrics_key: str = ""):
        self.base_url = base_url.rstrip("/")
        self.slug = slug
        self.timeout = timeout
        self.metrics_key = metrics_key

    def _get(self, path: str, *, accept: str = "application/json", auth=None) -> bytes:
        url = f"{self.base_url}{path}"
        try:
            with requests.get(
                url,
                headers={"Accept": accept},
                timeout=(min(3.05, self.timeout), self.timeout),
                allow_redirects=False,
                stream=True,
                auth=auth,
            ) as response:
                return self._read(response)
        except requests.Timeout:
            raise TimedOut(f"Uptime Kuma did not answer within {self.timeout:g} s.") from None
        except requests.RequestException:
            raise Unreachable(
                f"Uptime Kuma could not be reached at {self.base_url}: is it running?"
            ) from None

    def _read(self, response) -> bytes:
        status = response.status_code
        if status == 404 and "/status-page/" in response.url:
            raise BadAnswer(f"No status page called {self.slug} on this Uptime Kuma.")
        if status in (401, 403):
            raise BadKey(
                "Uptime Kuma refused the metrics API key: enter a current one under "
                "Admin → Status settings."
            )
        if status >= 500:
            raise BadAnswer(f"Uptime Kuma had an error (HTTP {status}).")
        if status != 200:
            raise BadAnswer(f"Uptime Kuma answered HTTP {status}: check the address.")
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > MAX_BYTES:
            raise BadAnswer("Uptime Kuma's answer is too big to be a status page (over 2 MB).")
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > MAX_BYTES:
                raise BadAnswer("Uptime Kuma's answer is too big to be a status page (over 2 MB).")
        return bytes(body)

    def _json(self, path: str):
        body = self._get(path)
        if body.lstrip()[:1] == b"<":
            raise BadAnswer(
                "Uptime Kuma's address answered with a web page, not Kuma's API: check the address."
            )
        return loads(body)

    def status_page(self) -> StatusPage:
        return parse_status_page(self._json(f"/api/status-page/{self.slug}"))

    def heartbeats(self) -> Heartbeats:
        return parse_heartbeats(self._json(f"/api/status-page/heartbeat/{self.slug}"))

    def metrics_work(self) -> bool:
        """Whether /metrics answers Kuma's Prometheus text with the API key (raises if not)."""
        body = self._get("/metrics", accept="text/plain", auth=("", self.metrics_key))
        if b"monitor_status" not in body:
            raise BadAnswer("Uptime Kuma's /metrics did not list any monitor_status.")
        return True


def client(url: str | None = None, slug: str | None = None, metrics_key: str | None = None):
    """The configured status page (or the one given), with UPTIME_KUMA_TIMEOUT."""
    from flask import current_app

    from app import settings

    return KumaClient(
        url if url is not None else settings.get("kuma.url"),
        slug if slug is not None else settings.get("kuma.slug"),
        timeout=float(current_app.config["UPTIME_KUMA_TIMEOUT"]),
        metrics_key=metrics_key if metrics_key is not None else settings.get("kuma.metrics_key"),
    )
