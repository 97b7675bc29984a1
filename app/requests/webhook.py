"""Overseerr's webhook: POST /webhooks/overseerr, its default JSON template, a shared secret.

Overseerr sends each notification once, without a signature; the Authorization header value set
in its webhook agent is the secret. Every value in the default template is a string.
"""

import hmac
import logging

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import settings
from app.bounded import PayloadError, load_json, parse_id
from app.extensions import csrf, db, limiter
from app.models import MediaRequest, Setting
from app.models.base import utcnow
from app.requests import history, overseerr_sync, states

log = logging.getLogger(__name__)

bp = Blueprint("overseerr_webhook", __name__)

# notification_type -> our status (None: nothing to move)
MOVES = {
    "MEDIA_PENDING": None,
    "MEDIA_APPROVED": states.APPROVED,
    "MEDIA_AUTO_APPROVED": states.APPROVED,
    "MEDIA_DECLINED": states.DECLINED,
    "MEDIA_FAILED": states.FAILED,
    "MEDIA_AVAILABLE": states.AVAILABLE,
}
IGNORED = {
    "MEDIA_AUTO_REQUESTED",  # a watchlist request made inside Overseerr, not one of ours
    "ISSUE_CREATED",
    "ISSUE_COMMENT",
    "ISSUE_RESOLVED",
    "ISSUE_REOPENED",
}


def _plain(text: str, status: int = 200) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def authorized() -> bool:
    expected = settings.get("overseerr.webhook_auth") or ""
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _remember(*keys: str) -> None:
    """Note when Overseerr's webhook reached us (for the settings page); no audit, own commit."""
    now = utcnow().isoformat()
    for key in keys:
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=now))
        else:
            row.value = now
    try:
        db.session.commit()
    except IntegrityError:  # another webhook noted it at the same moment
        db.session.rollback()


def _text(payload: dict, section: str, key: str) -> str:
    part = payload.get(section)
    value = part.get(key) if isinstance(part, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _targets(payload: dict) -> list[MediaRequest]:
    """Our requests the notification is about: by Overseerr request id, else by TMDB id."""
    overseerr_id = parse_id(_text(payload, "request", "request_id"))
    if overseerr_id is not None:
        found = db.session.scalars(
            select(MediaRequest).where(MediaRequest.overseerr_id == overseerr_id)
        ).all()
        if found:
            return list(found)
    tmdb_id = parse_id(_text(payload, "media", "tmdbId"))
    media_type = _text(payload, "media", "media_type")
    if tmdb_id is None or media_type not in ("movie", "tv"):
        return []
    return list(
        db.session.scalars(
            select(MediaRequest).where(
                MediaRequest.media_type == media_type,
                MediaRequest.tmdb_id == tmdb_id,
                MediaRequest.status.in_(states.ACTIVE),
            )
        )
    )


def _status_for(kind: str, payload: dict) -> str | None:
    status = MOVES[kind]
    if kind == "MEDIA_AVAILABLE" and _text(payload, "media", "status") == "PARTIALLY_AVAILABLE":
        return states.PARTIALLY_AVAILABLE
    return status


@bp.post("/webhooks/overseerr")
@csrf.exempt
@limiter.limit("120 per minute")
def overseerr_webhook():
    if not authorized():
        log.warning(
            "Overseerr webhook refused: wrong or missing Authorization from %s", request.remote_addr
        )
        return _plain("Wrong or missing Authorization header.", 401)
    try:
        payload = load_json(request.get_data(as_text=True))
        kind = payload["notification_type"]
        if not isinstance(kind, str):
            raise TypeError
    except (PayloadError, KeyError, TypeError, UnicodeDecodeError):
        return _plain("Expected Overseerr's webhook JSON with a notification_type.", 400)
    if kind == "TEST_NOTIFICATION":
        _remember("overseerr.webhook_received_at", "overseerr.webhook_test_at")
        return _plain("Test notification received.")
    _remember("overseerr.webhook_received_at")
    if kind not in MOVES:
        log.info("Overseerr webhook %s ignored", kind[:40] if kind in IGNORED else repr(kind[:40]))
        return _plain(f"Ignored: {kind[:40]} needs nothing from MediaNest.", 202)
    status, moved = _status_for(kind, payload), 0
    for req in _targets(payload) if status else []:
        moved += history.advance(req, status, source="webhook", message=overseerr_sync.said(status))
    db.session.commit()
    return _plain(f"Updated {moved} request(s).")
