"""The owner's side: system health, Plex connection, people, audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import (  # noqa: E402,F401
    audit_log,
    backups,
    backups_restore,
    downloads_settings,
    downloads_settings_limits,
    invites,
    notify_channels,
    notify_log,
    oidc,
    people,
    plex,
    requests_settings,
    routes,
    signup,
    status_settings,
    system,
    uploads_settings,
    uploads_settings_limits,
)
