"""A loopback Uptime Kuma: one public status page, its heartbeats, and /metrics.

Shapes follow Kuma's server/routers/status-page-router.js and server/prometheus.js (see
shared/specs/README.md): ``/api/status-page/<slug>``, ``/api/status-page/heartbeat/<slug>`` (last
100 beats, oldest first, ``time`` in UTC "YYYY-MM-DD HH:mm:ss"), ``/metrics`` behind HTTP Basic
whose password is an API key. An unknown slug answers 404 ``{"ok": false, "msg": "Not Found"}``.

Switches on ``KumaState``: ``down`` (503 to everything), ``slow_seconds``, ``garbage`` ("html",
"broken" JSON, "nested" JSON too deep to read, "huge" over 2 MB, "shape" JSON of another shape),
``old_shape`` (answers ``incident`` as Kuma up to 2.0 did, instead of ``incidents``);
``set_status(id, status, msg)`` changes a monitor and ``tick()`` appends a beat per monitor.
``KumaSimulator`` also refuses connections (``go_away()`` / ``come_back()``).
"""

import itertools
import random
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, Response, jsonify, request

from simulators.faults import html_error
from simulators.server import RestartableSimulator

DOWN, UP, PENDING, MAINTENANCE = 0, 1, 2, 3
MAX_BEATS = 100


def kuma_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class KumaMonitor:
    id: int
    name: str
    type: str = "http"
    url: str = ""
    group: str = "Services"
    status: int = UP
    ping: float = 40.0
    msg: str = ""


class KumaState:
    """The monitors, beats, incidents and maintenance of one Kuma, and its switches."""

    def __init__(self, slug: str = "home", title: str = "Home") -> None:
        self.lock = threading.RLock()
        self.slug, self.title = slug, title
        self.api_key = f"uk1_{secrets.token_urlsafe(24)}"
        self.monitors: dict[int, KumaMonitor] = {}
        self.beats: dict[int, list[dict]] = {}
        self.incidents: list[dict] = []
        self.maintenance: list[dict] = []
        self.down = False
        self.slow_seconds = 0.0
        self.garbage: str | None = None
        self.old_shape = False
        self.calls: list[str] = []
        self._ids = itertools.count(1)
        self._random = random.Random(12)

    def add_monitor(self, name: str, group: str = "Services", **fields) -> KumaMonitor:
        with self.lock:
            monitor = KumaMonitor(next(self._ids), name, group=group, **fields)
            self.monitors[monitor.id] = monitor
            self.beats[monitor.id] = []
            return monitor

    def set_status(self, monitor_id: int, status: int, msg: str = "", *, beat: bool = True):
        """Change a monitor's state; with beat, record a beat for it at once."""
        with self.lock:
            monitor = self.monitors[monitor_id]
            monitor.status, monitor.msg = status, msg
            if beat:
                self._beat(monitor, datetime.now(UTC))

    def _beat(self, monitor: KumaMonitor, now: datetime) -> None:
        ping = None
        if monitor.status == UP:
            ping = round(max(1.0, monitor.ping * self._random.uniform(0.7, 1.4)), 1)
        msg = monitor.msg or ("200 - OK" if monitor.status == UP else "")
        beats = self.beats.setdefault(monitor.id, [])
        beats.append({"status": monitor.status, "time": kuma_time(now), "msg": msg, "ping": ping})
        del beats[:-MAX_BEATS]

    def tick(self, now: datetime | None = None) -> None:
        """Append one beat per monitor, as a check round does."""
        with self.lock:
            for monitor in self.monitors.values():
                self._beat(monitor, now or datetime.now(UTC))

    def add_incident(self, title: str, content: str = "", style: str = "danger") -> dict:
        with self.lock:
            now = kuma_time(datetime.now(UTC))
            incident = {
                "id": len(self.incidents) + 1,
                "title": title,
                "content": content,
                "style": style,
                "createdDate": now,
                "lastUpdatedDate": None,
                "pin": True,
            }
            self.incidents.append(incident)
            return incident

    def add_maintenance(
        self, title: str, description: str = "", status: str = "under-maintenance"
    ) -> dict:
        with self.lock:
            item = {
                "id": len(self.maintenance) + 1,
                "title": title,
                "description": description,
                "strategy": "manual",
                "active": True,
                "status": status,
                "timeslotList": [],
            }
            self.maintenance.append(item)
            return item

    # -- answers ---------------------------------------------------------------------------------

    def page_json(self) -> dict:
        with self.lock:
            groups: dict[str, list[dict]] = {}
            for monitor in self.monitors.values():
                entry = {"id": monitor.id, "name": monitor.name, "sendUrl": 0, "type": monitor.type}
                if monitor.url:
                    entry.update(sendUrl=1, url=monitor.url)
                groups.setdefault(monitor.group, []).append(entry)
            body = {
                "config": {
                    "slug": self.slug,
                    "title": self.title,
                    "description": None,
                    "icon": "/icon.svg",
                    "theme": "auto",
                    "published": True,
                    "showTags": False,
                    "autoRefreshInterval": 300,
                },
                "publicGroupList": [
                    {"id": index, "name": name, "weight": index, "monitorList": monitors}
                    for index, (name, monitors) in enumerate(groups.items(), start=1)
                ],
                "maintenanceList": list(self.maintenance),
            }
            if self.old_shape:
                body["incident"] = self.incidents[-1] if self.incidents else None
            else:
                body["incidents"] = list(self.incidents)
            return body

    def heartbeat_json(self) -> dict:
        with self.lock:
            beats = {str(key): list(value) for key, value in self.beats.items()}
            uptime = {}
            for key, value in self.beats.items():
                if value:
                    ups = sum(1 for b in value if b["status"] in (UP, MAINTENANCE))
                    uptime[f"{key}_24"] = ups / len(value)
            return {"heartbeatList": beats, "uptimeList": uptime}

    def metrics_text(self) -> str:
        with self.lock:
            lines = [
                "# HELP monitor_status Monitor Status "
                "(1 = UP, 0= DOWN, 2= PENDING, 3= MAINTENANCE)",
                "# TYPE monitor_status gauge",
            ]
            labels = {}
            for m in self.monitors.values():
                labels[m.id] = (
                    f'monitor_name="{m.name}",monitor_type="{m.type}",'
                    f'monitor_url="{m.url or "https://"}",monitor_hostname="null",monitor_port="null"'
                )
                lines.append(f"monitor_status{{{labels[m.id]}}} {m.status}")
            lines += [
                "# HELP monitor_response_time Monitor Response Time (ms)",
                "# TYPE monitor_response_time gauge",
            ]
            for m in self.monitors.values():
                last = (self.beats.get(m.id) or [{}])[-1].get("ping")
                lines.append(f"monitor_response_time{{{labels[m.id]}}} {last or -1}")
            return "\n".join(lines) + "\n"


def _not_found() -> Response:
    response = jsonify({"ok": False, "msg": "Not Found"})
    response.status_code = 404
    return response


def _garbage(kind: str) -> Response:
    if kind == "html":
        page = "<!DOCTYPE html><html><head><title>Uptime Kuma</title></head><body></body></html>"
        return Response(page, 200, content_type="text/html; charset=utf-8")
    if kind == "nested":
        return Response("[" * 200_000 + "]" * 200_000, 200, content_type="application/json")
    if kind == "huge":
        filler = '{"config": {"title": "' + "x" * (3 * 1024 * 1024) + '"}, "publicGroupList": []}'
        return Response(filler, 200, content_type="application/json")
    if kind == "shape":
        return Response('{"ok": true, "data": [1, 2, 3]}', 200, content_type="application/json")
    return Response('{"config": {"slug": "home", "tit', 200, content_type="application/json")


def create_app(state: KumaState) -> Flask:
    """Build the WSGI app that answers as Uptime Kuma from ``state``."""
    app = Flask(__name__)

    @app.before_request
    def faults():
        state.calls.append(request.path)
        if state.slow_seconds:
            time.sleep(state.slow_seconds)
        if state.down:
            return html_error(503)
        if state.garbage and request.path.startswith("/api/"):
            return _garbage(state.garbage)
        return None

    @app.get("/api/status-page/<slug>")
    def status_page(slug):
        if slug.lower() != state.slug:
            return _not_found()
        return jsonify(state.page_json())

    @app.get("/api/status-page/heartbeat/<slug>")
    def heartbeat(slug):
        if slug.lower() != state.slug:
            return _not_found()
        return jsonify(state.heartbeat_json())

    @app.get("/metrics")
    def metrics():
        auth = request.authorization
        if auth is None or auth.password != state.api_key:
            return Response("Unauthorized", 401, {"WWW-Authenticate": 'Basic realm="Uptime Kuma"'})
        return Response(state.metrics_text(), 200, content_type="text/plain; version=0.0.4")

    @app.errorhandler(404)
    def unknown(_error):
        return _not_found()

    return app


class KumaSimulator(RestartableSimulator):
    """The simulator on a loopback port that can also go away (connection refused) and return."""

    def __init__(self, state: KumaState | None = None):
        self.state = state or KumaState()
        super().__init__(create_app(self.state))


def demo_state() -> KumaState:
    """Demo mode's Kuma: six monitors in two groups, an incident and a maintenance window."""
    state = KumaState(slug="home", title="Home")
    for name, group, kind, url, ping in (
        ("Plex", "Media", "http", "http://plex:32400/identity", 35),
        ("Overseerr", "Media", "http", "http://overseerr:5055/api/v1/status", 60),
        ("Router", "Network", "ping", "", 3),
        ("Internet", "Network", "http", "https://example.com", 25),
        ("NAS", "Network", "port", "", 8),
        ("Backups", "Network", "push", "", 0),
    ):
        state.add_monitor(name, group, type=kind, url=url, ping=float(ping))
    state.monitors[6].status = MAINTENANCE
    state.add_incident(
        "Slow Internet this evening", "The provider is working on it.", style="warning"
    )
    state.add_maintenance("NAS disk replacement", "Backups are paused while a disk is swapped.")
    now = time.time()
    for back in range(30, 0, -1):
        state.tick(datetime.fromtimestamp(now - back * 60, UTC))
    return state


def flap(state: KumaState, monitor_id: int, every: float = 20.0, stop=None) -> None:
    """Demo mode: tick every ``every`` seconds; the monitor is down for one tick in four."""
    rounds = itertools.count()
    while not (stop and stop.is_set()):
        round_ = next(rounds)
        if round_ % 4 == 3:
            state.set_status(monitor_id, DOWN, "timeout of 48000ms exceeded")
        else:
            state.set_status(monitor_id, UP)
        # set_status beat the flapping one already; the others get theirs here.
        with state.lock:
            now = datetime.now(UTC)
            for monitor in state.monitors.values():
                if monitor.id != monitor_id:
                    state._beat(monitor, now)
        time.sleep(every)


def start_flapping(state: KumaState, monitor_id: int = 4, every: float = 20.0) -> threading.Thread:
    thread = threading.Thread(
        target=flap, args=(state, monitor_id, every), name="kuma-demo", daemon=True
    )
    thread.start()
    return thread
