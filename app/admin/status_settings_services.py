"""Status settings: the Uptime Kuma status page, its metrics key, the check interval, and which
monitors everyone sees; seeding Kuma's address and slug from the environment.
"""

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.integrations import uptime_kuma
from app.models.health import ServiceState
from app.realtime.events import publish

log = logging.getLogger(__name__)

SLUG = re.compile(uptime_kuma.SLUG_RULE)
INTERVAL_LOW, INTERVAL_HIGH = 15, 3600
MAX_KEY = 255
MAX_PUBLIC = 1000


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


@dataclass
class Check:
    ok: bool
    message: str
    monitors: list[dict] = field(default_factory=list)


def effective_interval() -> int:
    """Seconds between health checks: the setting, or MEDIANEST_HEALTH_INTERVAL when it is 0."""
    return int(settings.get("health.interval") or current_app.config["HEALTH_INTERVAL"])


def current() -> dict:
    """The stored values; the metrics key only as whether one is stored."""
    from app.status.probes import public_monitor_ids

    return {
        "url": settings.get("kuma.url"),
        "slug": settings.get("kuma.slug"),
        "has_key": bool(settings.get("kuma.metrics_key")),
        "interval": settings.get("health.interval") or "",
        "effective_interval": effective_interval(),
        "default_interval": int(current_app.config["HEALTH_INTERVAL"]),
        "public": public_monitor_ids(),
    }


def known_monitors() -> list[dict]:
    """The monitors the health checks have seen, from their state rows."""
    rows = db.session.scalars(select(ServiceState).where(ServiceState.kind == "monitor"))
    found = []
    for row in rows:
        ident = uptime_kuma.monitor_id(row.key.removeprefix("kuma:"), text=True)
        if ident is not None:
            group = (row.info or {}).get("group") or ""
            found.append({"id": ident, "name": row.label, "group": group, "state": row.state})
    return sorted(found, key=lambda m: (m["group"], m["name"].lower(), m["id"]))


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        _ = parts.port
    except ValueError:
        return "That address has a port that is not a number."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter Uptime Kuma's address with http:// or https://, e.g. http://kuma:3001."
    if parts.username or parts.password:
        return "Leave the user name and password out of the address: status pages are public."
    if parts.query or parts.fragment:
        return "Enter the address only, without ? or #."
    if len(url) > 500:
        return "That address is too long."
    return None


def _page_fields(form, errors: dict) -> tuple[str, str]:
    """The address and slug typed, checked; errors by field."""
    url = (form.get("url") or "").strip().rstrip("/")
    slug = (form.get("slug") or "").strip()
    if url and (problem := url_problem(url)):
        errors["url"] = problem
    if slug and not SLUG.match(slug):
        errors["slug"] = (
            "A status page's slug has 1 to 64 lowercase letters, digits and dashes, as in "
            "its address /status/<slug>."
        )
    if url and not slug and "slug" not in errors:
        errors["slug"] = "Enter the slug of the status page to read (from /status/<slug>)."
    if slug and not url and "url" not in errors:
        errors["url"] = "Enter Uptime Kuma's address too."
    return url, slug


def _interval(form, errors: dict) -> int | None:
    raw = (form.get("interval") or "").strip()
    if raw in ("", "0"):
        return 0
    if not (raw.isascii() and raw.isdigit()) or not INTERVAL_LOW <= int(raw) <= INTERVAL_HIGH:
        errors["interval"] = (
            f"Enter a whole number of seconds from {INTERVAL_LOW} to {INTERVAL_HIGH}, "
            "or leave it empty for the default."
        )
        return None
    return int(raw)


def _public(form, errors: dict) -> list[int] | None:
    raw = form.getlist("public")
    found = [uptime_kuma.monitor_id(value.strip(), text=True) for value in raw[: MAX_PUBLIC + 1]]
    if len(raw) > MAX_PUBLIC or None in found:
        errors["public"] = "Those are not Uptime Kuma monitors: reload the page and choose again."
        return None
    return sorted(set(found))


def save(form, *, actor) -> SaveResult:
    """Check every field; store all (audited as a settings change) or none."""
    result, changes = SaveResult(), {}
    errors = result.errors
    changes["kuma.url"], changes["kuma.slug"] = _page_fields(form, errors)
    typed_key = (form.get("metrics_key") or "").strip()
    if len(typed_key) > MAX_KEY or not typed_key.isprintable():
        errors["metrics_key"] = "That is not an API key: paste it again."
    elif typed_key:
        changes["kuma.metrics_key"] = typed_key
    elif form.get("clear_metrics_key") == "1":
        changes["kuma.metrics_key"] = ""
    interval = _interval(form, errors)
    public = _public(form, errors)
    if errors:
        return result
    changes["health.interval"] = interval
    changes["kuma.public_monitors"] = ",".join(map(str, public))
    result.changed = settings.put(changes, actor=actor)
    if "kuma.public_monitors" in result.changed:
        apply_public(set(public))
    return result


def apply_public(public: set[int]) -> None:
    """Show or hide the monitors' cards for everyone at once, not at the next check."""
    changed = []
    for row in db.session.scalars(select(ServiceState).where(ServiceState.kind == "monitor")):
        ident = uptime_kuma.monitor_id(row.key.removeprefix("kuma:"), text=True)
        visible = ident in public
        if row.public != visible:
            row.public = visible
            changed.append(row.key)
    db.session.commit()
    if changed:
        publish({"type": "health.changed", "keys": changed}, everyone=True)


def test_connection(form) -> Check:
    """Read the status page typed (or stored) and say in words what it holds, or why not."""
    errors: dict[str, str] = {}
    url, slug = _page_fields(form, errors)
    if errors:
        return Check(False, " ".join(errors.values()))
    url, slug = url or settings.get("kuma.url"), slug or settings.get("kuma.slug")
    if not (url and slug):
        return Check(False, "Enter Uptime Kuma's address and the status page's slug first.")
    typed_key = (form.get("metrics_key") or "").strip()
    key = typed_key if typed_key.isprintable() and len(typed_key) <= MAX_KEY else ""
    client = uptime_kuma.client(url, slug, key or settings.get("kuma.metrics_key"))
    try:
        page = client.status_page()
        beats = client.heartbeats()
    except uptime_kuma.KumaError as exc:
        return Check(False, str(exc))
    words = page.summary() + "."
    for items, one, many in (
        (page.incidents, "incident", "incidents"),
        (page.maintenance, "maintenance", "maintenances"),
    ):
        if items:
            words += f" {len(items)} {one if len(items) == 1 else many} posted."
    if not beats.beats and page.monitors:
        words += " No heartbeats yet."
    if client.metrics_key:
        try:
            client.metrics_work()
            words += " The metrics key works."
        except uptime_kuma.KumaError as exc:
            return Check(False, words + " " + str(exc), _monitor_rows(page))
    return Check(True, words, _monitor_rows(page))


def _monitor_rows(page) -> list[dict]:
    return [{"id": m.id, "name": m.name, "group": m.group, "state": ""} for m in page.monitors]


ENVIRONMENT = {"UPTIME_KUMA_URL": "kuma.url", "UPTIME_KUMA_SLUG": "kuma.slug"}


def provision_from_environment() -> list[str]:
    """Seed kuma.url and kuma.slug from MEDIANEST_UPTIME_KUMA_URL and _SLUG."""
    changes = {}
    for name, key in ENVIRONMENT.items():
        value = str(current_app.config.get(name) or "").strip()
        if value:
            changes[key] = value.rstrip("/") if key == "kuma.url" else value
    if changes.get("kuma.url") and (problem := url_problem(changes["kuma.url"])):
        log.warning("MEDIANEST_UPTIME_KUMA_URL ignored: %s", problem)
        del changes["kuma.url"]
    if changes.get("kuma.slug") and not SLUG.match(changes["kuma.slug"]):
        log.warning("MEDIANEST_UPTIME_KUMA_SLUG ignored: not a status page slug")
        del changes["kuma.slug"]
    return settings.put(changes) if changes else []
