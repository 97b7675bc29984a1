"""Channels and email settings from the environment, at each start.

MEDIANEST_NOTIFY_URLS: comma-separated Apprise URLs that receive admin alerts; the environment is
the truth for them (added, kept or removed to match). MEDIANEST_SMTP_URL and _SMTP_FROM seed
notify.smtp_url and notify.smtp_from; MEDIANEST_PUBLIC_URL seeds instance.public_url when empty.
"""

import logging
import re

from flask import current_app
from sqlalchemy import select

from app import settings
from app.crypto import SecretUnreadable
from app.extensions import db
from app.models.notify import NotifyChannel
from app.notify import channels
from app.notify.transports import parse_smtp_url, service_name, url_problem

log = logging.getLogger(__name__)

_URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def split_urls(raw: str) -> list[str]:
    """Split on commas, but a piece that does not start a URL belongs to the one before it
    ("mailto://…?to=a@x.com,b@y.com, ntfy://…" is two URLs, not three)."""
    urls: list[str] = []
    for piece in (raw or "").split(","):
        if not piece.strip():
            continue
        if _URL_START.match(piece.strip()) or not urls:
            urls.append(piece.strip())
        else:
            urls[-1] += "," + piece.strip()
    return [url for url in urls if url]


def _valid_urls(raw: str) -> list[str]:
    found = []
    for number, url in enumerate(split_urls(raw), start=1):
        if problem := url_problem(url):
            # Say which one without printing it: it holds a token.
            log.warning("MEDIANEST_NOTIFY_URLS: URL number %d skipped: %s", number, problem)
        elif url not in found:
            found.append(url)
    return found


def _stored_url(channel: NotifyChannel) -> str | None:
    try:
        return channels.url_of(channel)
    except SecretUnreadable:
        return None


def provision_channels(raw: str) -> list[NotifyChannel]:
    """Make the environment's channels match the variable; unchanged ones keep their ids."""
    wanted = _valid_urls(raw)
    existing = db.session.scalars(select(NotifyChannel).where(NotifyChannel.from_environment))
    kept: dict[str, NotifyChannel] = {}
    for channel in existing:
        url = _stored_url(channel)
        if url in wanted and url not in kept:
            kept[url] = channel
        else:
            db.session.delete(channel)
    for number, url in enumerate(wanted, start=1):
        channel = kept.get(url) or NotifyChannel(from_environment=True, secret_url="")
        channel.name = f"{service_name(url) or 'Channel'} {number} (environment)"[:100]
        channel.secret_url = channels.encrypt(url) if url not in kept else channel.secret_url
        channel.kind, channel.summary = channels.kind_of(url), channels.summary_of(url)
        channel.admin_alerts = channel.enabled = True
        kept[url] = channel
        db.session.add(channel)
    db.session.commit()
    return list(kept.values())


def _email_settings() -> dict:
    config = current_app.config
    changes = {}
    smtp_url = str(config.get("SMTP_URL") or "").strip()
    if smtp_url and parse_smtp_url(smtp_url) is None:
        log.warning("MEDIANEST_SMTP_URL ignored: use smtp://user:password@host:port or smtps://")
    elif smtp_url:
        changes["notify.smtp_url"] = smtp_url
    sender = str(config.get("SMTP_FROM") or "").strip()
    if sender:
        changes["notify.smtp_from"] = sender
    public = str(config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if public and not settings.get("instance.public_url"):
        if problem := channels.public_url_problem(public):
            log.warning("MEDIANEST_PUBLIC_URL ignored: %s", problem)
        else:
            changes["instance.public_url"] = public
    return changes


def provision_from_environment() -> list[str]:
    """Channels from MEDIANEST_NOTIFY_URLS; email settings from MEDIANEST_SMTP_*/_PUBLIC_URL.
    Never stops the start: what cannot be used is logged and skipped."""
    try:
        provision_channels(str(current_app.config.get("NOTIFY_URLS") or ""))
        changes = _email_settings()
        return settings.put(changes) if changes else []
    except Exception:
        db.session.rollback()
        log.exception("Notifications could not be set up from the environment")
        return []
