"""Instance settings kept in the database: typed, secrets encrypted, every change audited."""

import logging
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import audit
from app.crypto import SecretUnreadable, decrypt, encrypt
from app.extensions import db
from app.models import Setting

log = logging.getLogger(__name__)

MASK = "••••••"


@dataclass(frozen=True)
class Spec:
    key: str
    default: object = ""
    secret: bool = False

    def parse(self, raw: str):
        if isinstance(self.default, bool):
            return raw == "1"
        if isinstance(self.default, int):
            return int(raw)
        return raw

    def dump(self, value) -> str:
        if isinstance(self.default, bool):
            return "1" if value else "0"
        return str(value)


SPECS = {
    spec.key: spec
    for spec in (
        Spec("instance.client_id"),
        Spec("plex.server_url"),
        Spec("plex.machine_id"),
        Spec("plex.server_name"),
        Spec("plex.server_version"),
        Spec("plex.owner_token", secret=True),
        Spec("plex.owner_account_id"),
        Spec("plex.webhook_secret", secret=True),
        Spec("plex.webhook_received_at"),
        Spec("dashboard.checklist_dismissed", False),
        Spec("signup.approval_required", False),
        Spec("signup.default_role", "user"),
        Spec("quota.requests", 10),
        Spec("quota.downloads", 20),
        Spec("uploads.max_file_gb", 50),  # one uploaded file at most
        Spec("uploads.quota_gb", 200),  # each person's uploads together at most
        Spec("uploads.home_dir"),  # the Home Videos folder; empty: MEDIA_ROOT/home-videos
        Spec("uploads.plex_path"),  # the same folder as Plex sees it
        Spec("uploads.library"),  # the Plex library's title or key
        Spec("uploads.convert", False),  # re-encode what Plex cannot direct-play to H.264/AAC
        Spec("backup.passphrase", secret=True),  # seals every backup; never inside one
        Spec("backup.enabled", True),  # the daily backup at 02:00
        Spec("backup.keep_daily", 7),
        Spec("backup.keep_weekly", 4),
        Spec("backup.keep_monthly", 6),
        # The S3-compatible bucket that holds a copy of each backup (empty bucket: none).
        Spec("backup.s3_enabled", False),
        Spec("backup.s3_endpoint"),  # empty: AWS S3 itself
        Spec("backup.s3_region", "us-east-1"),
        Spec("backup.s3_bucket"),
        Spec("backup.s3_prefix", "medianest/"),
        Spec("backup.s3_access_key"),
        Spec("backup.s3_secret_key", secret=True),
        Spec("backup.s3_keep_daily", 14),
        Spec("backup.s3_keep_weekly", 8),
        Spec("backup.s3_keep_monthly", 12),
        Spec("oidc.enabled", False),
        Spec("oidc.issuer"),
        Spec("oidc.client_id"),
        Spec("oidc.client_secret", secret=True),
        Spec("oidc.admin_claim", "groups"),
        Spec("oidc.admin_value"),
        Spec("oidc.label", "Single sign-on"),
        Spec("overseerr.url"),
        Spec("overseerr.api_key", secret=True),
        # The Authorization header value Overseerr's webhook agent sends us.
        Spec("overseerr.webhook_auth", secret=True),
        Spec("overseerr.version"),
        Spec("overseerr.checked_at"),
        # When Overseerr's webhook last reached us, and when its test notification did.
        Spec("overseerr.webhook_received_at"),
        Spec("overseerr.webhook_test_at"),
        Spec("tmdb.api_key", secret=True),
        Spec("requests.movie_limit", 5),
        Spec("requests.movie_days", 7),
        Spec("requests.season_limit", 10),
        Spec("requests.season_days", 7),
        Spec("requests.auto_approve_admin", True),
        Spec("requests.auto_approve_user", False),
        # Downloads (see app/downloads/setup.py; the MEDIANEST_YOUTUBE_* variables seed them).
        Spec("downloads.youtube_dir"),
        Spec("downloads.plex_path"),
        Spec("downloads.library"),
        Spec("downloads.allowed_hosts"),  # extra hosts, comma-separated
        Spec("downloads.allowed_sites"),  # extra yt-dlp extractors, comma-separated
        Spec("downloads.storage_gb", 50),  # default storage cap per person, GB; 0 means none
        Spec("downloads.cookies_at"),  # when a cookies file was stored; the file is in DATA_DIR
        # Health (app/status/): 0 means MEDIANEST_HEALTH_INTERVAL.
        Spec("health.interval", 0),
        Spec("kuma.url"),
        Spec("kuma.slug"),
        Spec("kuma.metrics_key", secret=True),  # optional: /metrics API key
        Spec("kuma.public_monitors"),
        # Notifications (app/notify/): MEDIANEST_SMTP_URL, _SMTP_FROM and _PUBLIC_URL seed them.
        Spec("notify.smtp_url", secret=True),
        Spec("notify.smtp_from"),
        Spec("instance.public_url"),  # monitor ids everyone sees, comma-separated; none by default
    )
}


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(_session) -> None:
    """Whatever a request wrote (settings or not, this module or not) is read again."""
    if has_request_context():
        g.pop("medianest_settings", None)


def _stored(key: str) -> str | None:
    """The stored text of a setting. A page reads several: one query loads them all for it."""
    if not has_request_context():
        row = db.session.get(Setting, key)
        return None if row is None else row.value
    if "medianest_settings" not in g:
        rows = db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(SPECS)))
        g.medianest_settings = dict(rows.all())
    return g.medianest_settings.get(key)


def get(key: str):
    """The setting's value, or its default when unset (or unreadable after a key change)."""
    spec = SPECS[key]
    raw = _stored(key)
    if raw is None:
        return spec.default
    if spec.secret and raw:
        try:
            raw = decrypt(raw)
        except SecretUnreadable:
            log.warning("Setting %s was stored under another secret key; enter it again", key)
            return spec.default
    return spec.parse(raw)


def get_many(prefix: str) -> dict:
    return {key: get(key) for key in SPECS if key.startswith(prefix)}


def shown(key: str, value) -> object:
    """A value as it may appear in the audit log or a page: secrets masked."""
    return (MASK if value else "") if SPECS[key].secret else value


def put(changes: dict, *, actor=None) -> list[str]:
    """Store changed values (one commit) and audit them; returns the keys that changed."""
    changed, old_new = [], {}
    for key, value in changes.items():
        spec, old = SPECS[key], get(key)
        if old == value:
            continue
        raw = spec.dump(value)
        stored = encrypt(raw) if spec.secret and raw else raw
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=stored))
        else:
            row.value = stored
        changed.append(key)
        old_new[key] = {"old": shown(key, old), "new": shown(key, value)}
    if changed:
        audit.record("settings.changed", actor=actor, details=old_new, commit=False)
        db.session.commit()
    return changed
