"""Requests settings: Overseerr's address and key, TMDB's key, quota defaults, auto-approval,
the webhook secret, matching people to Overseerr users, and seeding all that from the environment.
"""

import logging
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app

from app import audit, settings
from app.extensions import db
from app.integrations import overseerr
from app.models.base import utcnow
from app.requests import matches

log = logging.getLogger(__name__)

QUOTA_FIELDS = {
    "movie_limit": ("requests.movie_limit", 0, 1000),
    "movie_days": ("requests.movie_days", 1, 365),
    "season_limit": ("requests.season_limit", 0, 1000),
    "season_days": ("requests.season_days", 1, 365),
}
MAX_KEY = 255


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


def current() -> dict:
    """The stored values; keys only as whether one is stored."""
    values = {key: settings.get(key) for key in settings.SPECS if key.startswith("requests.")}
    values.update(
        url=settings.get("overseerr.url"),
        has_key=bool(settings.get("overseerr.api_key")),
        has_tmdb=bool(settings.get("tmdb.api_key")),
        version=settings.get("overseerr.version"),
        checked_at=settings.get("overseerr.checked_at"),
        webhook_auth=settings.get("overseerr.webhook_auth"),
        webhook_received_at=settings.get("overseerr.webhook_received_at"),
        webhook_test_at=settings.get("overseerr.webhook_test_at"),
    )
    return values


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "Enter Overseerr's address with http:// or https://, e.g. http://overseerr:5055."
    if parts.query or parts.fragment:
        return "Enter the address only, without ? or #."
    return None


def _number(form, name: str, low: int, high: int, errors: dict) -> int | None:
    raw = (form.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        errors[name] = f"Enter a whole number from {low} to {high}."
        return None
    return int(raw)


def save(form, *, actor) -> SaveResult:
    """Check every field; store all (audited as a settings change) or none."""
    result, changes = SaveResult(), {}
    errors = result.errors
    url = (form.get("url") or "").strip().rstrip("/")
    if url and (problem := url_problem(url)):
        errors["url"] = problem
    changes["overseerr.url"] = url
    for name, key in (("api_key", "overseerr.api_key"), ("tmdb_key", "tmdb.api_key")):
        typed = (form.get(name) or "").strip()
        if len(typed) > MAX_KEY or not typed.isprintable():
            errors[name] = "That is not an API key: paste it again."
        elif typed:
            changes[key] = typed
        elif form.get(f"clear_{name}") == "1":
            changes[key] = ""
    for name, (key, low, high) in QUOTA_FIELDS.items():
        value = _number(form, name, low, high, errors)
        if value is not None:
            changes[key] = value
    for role in ("admin", "user"):
        changes[f"requests.auto_approve_{role}"] = form.get(f"auto_approve_{role}") == "1"
    if errors:
        return result
    result.changed = settings.put(changes, actor=actor)
    if {"overseerr.url", "overseerr.api_key"} & set(result.changed):
        _release()
    return result


def _release() -> None:
    """New address or key: whatever was waiting for Overseerr may go now."""
    from app.requests.tasks import release_waiting

    overseerr.breaker().reset()
    release_waiting()
    db.session.commit()


@dataclass
class Check:
    ok: bool
    message: str
    version: str = ""
    admin_key: bool = False


def test_connection(*, actor) -> Check:
    """Ask Overseerr for its version and whose key this is; remember the version."""
    if not (settings.get("overseerr.url") and settings.get("overseerr.api_key")):
        return Check(False, "Enter Overseerr's address and API key first, then save.")
    client = overseerr.client(guarded=False)
    try:
        version = str(client.status().get("version") or "unknown")
        me = client.me()
    except overseerr.OverseerrError as exc:
        audit.record("overseerr.tested", actor=actor, details={"ok": False, "error": str(exc)})
        return Check(False, str(exc))
    permissions = me.get("permissions") if isinstance(me.get("permissions"), int) else 0
    admin_key = bool(permissions & 2)
    settings.put(
        {"overseerr.version": version, "overseerr.checked_at": utcnow().isoformat()}, actor=actor
    )
    audit.record("overseerr.tested", actor=actor, details={"ok": True, "version": version})
    _release()
    words = f"Connected to Overseerr {version}. "
    words += (
        "The key is an admin's: requests are sent as each person's own Overseerr user."
        if admin_key
        else "The key is not an admin's: use the API key from Overseerr → Settings → General."
    )
    return Check(True, words, version, admin_key)


def new_webhook_auth(*, actor) -> str:
    value = "Bearer " + secrets.token_urlsafe(32)
    settings.put({"overseerr.webhook_auth": value}, actor=actor)
    audit.record("overseerr.webhook_generated", actor=actor)
    return value


def import_matches(*, actor) -> matches.Matches:
    """Match people to Overseerr users by Plex id; raises OverseerrError when it cannot ask."""
    report = matches.refresh(overseerr.client(guarded=False))
    audit.record(
        "overseerr.matches_imported",
        actor=actor,
        details={"matched": len(report.matched), "unmatched": len(report.unmatched)},
        commit=False,
    )
    db.session.commit()
    _release()
    return report


ENVIRONMENT = {
    "OVERSEERR_URL": "overseerr.url",
    "OVERSEERR_API_KEY": "overseerr.api_key",
    "OVERSEERR_WEBHOOK_AUTH": "overseerr.webhook_auth",
    "TMDB_API_KEY": "tmdb.api_key",
}


def provision_from_environment() -> list[str]:
    """Seed the settings from MEDIANEST_OVERSEERR_URL, _API_KEY, _WEBHOOK_AUTH, _TMDB_API_KEY."""
    changes = {
        key: str(current_app.config[name]).strip()
        for name, key in ENVIRONMENT.items()
        if str(current_app.config.get(name) or "").strip()
    }
    if changes.get("overseerr.url"):
        changes["overseerr.url"] = changes["overseerr.url"].rstrip("/")
        if problem := url_problem(changes["overseerr.url"]):
            log.warning("MEDIANEST_OVERSEERR_URL ignored: %s", problem)
            del changes["overseerr.url"]
    return settings.put(changes) if changes else []
