"""The JSON the simulated Overseerr answers, and the webhooks it sends (default template)."""

import logging
import threading

import requests

from simulators.overseerr_state import (
    APPROVED,
    MEDIA_STATUS,
    Media,
    OverseerrState,
    Request,
    User,
    stamp,
)

log = logging.getLogger(__name__)


def user_json(user: User, state: OverseerrState) -> dict:
    with state.lock:
        count = sum(1 for r in state.requests.values() if r.requested_by is user)
    return {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "plexUsername": user.username,
        "plexId": user.plex_id,
        "userType": 1 if user.plex_id else 2,
        "permissions": user.permissions,
        "avatar": f"/avatar/{user.id}.png",
        "displayName": user.username,
        "movieQuotaLimit": user.movie_quota_limit,
        "movieQuotaDays": user.movie_quota_days,
        "tvQuotaLimit": user.tv_quota_limit,
        "tvQuotaDays": user.tv_quota_days,
        "createdAt": stamp(user.created_at),
        "updatedAt": stamp(user.created_at),
        "requestCount": count,
    }


def media_json(media: Media, state: OverseerrState, *, with_requests: bool) -> dict:
    body = {
        "id": media.id,
        "mediaType": media.media_type,
        "tmdbId": media.tmdb_id,
        "tvdbId": media.tvdb_id,
        "status": media.status,
        "status4k": 1,
        "seasons": [
            {"id": media.id * 100 + number, "seasonNumber": number, "status": status}
            for number, status in sorted(media.seasons.items())
        ],
        "createdAt": stamp(media.created_at),
        "updatedAt": stamp(media.updated_at),
    }
    if with_requests:
        with state.lock:
            found = [r for r in state.requests.values() if r.media is media]
        body["requests"] = [request_json(r, state, with_media=False) for r in found]
    return body


def request_json(req: Request, state: OverseerrState, *, with_media: bool = True) -> dict:
    with state.lock:  # other threads add requests and move media meanwhile
        return _request_json(req, state, with_media)


def _request_json(req: Request, state: OverseerrState, with_media: bool) -> dict:
    body = {
        "id": req.id,
        "status": req.status,
        "type": req.media.media_type,
        "is4k": req.is4k,
        "createdAt": stamp(req.created_at),
        "updatedAt": stamp(req.updated_at),
        "requestedBy": user_json(req.requested_by, state),
        "modifiedBy": None if req.modified_by is None else user_json(req.modified_by, state),
        "seasons": [
            {"id": req.id * 100 + n, "seasonNumber": n, "status": req.status} for n in req.seasons
        ],
    }
    if with_media:
        body["media"] = media_json(req.media, state, with_requests=False)
    return body


def page_json(items: list, take: int, skip: int) -> dict:
    total = len(items)
    return {
        "pageInfo": {
            "pages": -(-total // take) if take else 0,
            "pageSize": take,
            "results": total,
            "page": skip // take + 1 if take else 1,
        },
        "results": items[skip : skip + take],
    }


def title_json(state: OverseerrState, media_type: str, tmdb_id: int) -> dict:
    with state.lock:
        return _title_json(state, media_type, tmdb_id)


def _title_json(state: OverseerrState, media_type: str, tmdb_id: int) -> dict:
    media = state.media.get((media_type, tmdb_id))
    body = {"id": tmdb_id, "posterPath": f"/poster-{tmdb_id}.jpg", "overview": ""}
    if media_type == "movie":
        body["title"] = state.title_of("movie", tmdb_id)
    else:
        body["name"] = state.title_of("tv", tmdb_id)
        body["numberOfSeasons"] = len(state.seasons_of(tmdb_id))
        body["seasons"] = [
            {"id": tmdb_id * 100 + n, "seasonNumber": n, "name": f"Season {n}", "episodeCount": 8}
            for n in state.seasons_of(tmdb_id)
        ]
    if media is not None:
        body["mediaInfo"] = media_json(media, state, with_requests=True)
    return body


# -- webhooks (server/lib/notifications/agents/webhook.ts, the default JSON template) ----------

EVENTS = {
    "MEDIA_PENDING": "New {kind} Request",
    "MEDIA_APPROVED": "{kind} Request Approved",
    "MEDIA_AUTO_APPROVED": "{kind} Request Automatically Approved",
    "MEDIA_AVAILABLE": "{kind} Now Available",
    "MEDIA_DECLINED": "{kind} Request Declined",
    "MEDIA_FAILED": "{kind} Request Failed",
    "TEST_NOTIFICATION": "Test Notification",
}


def webhook_payload(state: OverseerrState, notification_type: str, req: Request | None) -> dict:
    """The default template filled in: every value a string, absent objects null."""
    if req is None:
        return {
            "notification_type": notification_type,
            "event": EVENTS.get(notification_type, ""),
            "subject": "Test Notification",
            "message": "Check check, 1, 2, 3. Are we coming in clear?",
            "image": "",
            "media": None,
            "request": None,
            "issue": None,
            "comment": None,
            "extra": [],
        }
    media = req.media
    kind = "Movie" if media.media_type == "movie" else "Series"
    extra = []
    if media.media_type == "tv" and req.seasons:
        extra.append({"name": "Requested Seasons", "value": ", ".join(map(str, req.seasons))})
    return {
        "notification_type": notification_type,
        "event": EVENTS.get(notification_type, "").format(kind=kind),
        "subject": state.title_of(media.media_type, media.tmdb_id),
        "message": "",
        "image": f"https://image.tmdb.org/t/p/w600_and_h900_bestv2/poster-{media.tmdb_id}.jpg",
        "media": {
            "media_type": media.media_type,
            "tmdbId": str(media.tmdb_id),
            "tvdbId": "" if media.tvdb_id is None else str(media.tvdb_id),
            "status": MEDIA_STATUS.get(media.status, "UNKNOWN"),
            "status4k": "UNKNOWN",
        },
        "request": {
            "request_id": str(req.id),
            "requestedBy_email": req.requested_by.email,
            "requestedBy_username": req.requested_by.username,
            "requestedBy_avatar": f"/avatar/{req.requested_by.id}.png",
            "requestedBy_settings_discordId": "",
            "requestedBy_settings_telegramChatId": "",
        },
        "issue": None,
        "comment": None,
        "extra": extra,
    }


def send_webhook(state: OverseerrState, payload: dict, *, wait: bool = True) -> int | None:
    """POST one webhook to the configured URL (once, no retry); return the status or None."""
    url = state.webhook_url
    state.sent_webhooks.append(payload)
    if not url:
        return None
    headers = {"Authorization": state.webhook_auth} if state.webhook_auth else {}

    def post() -> int | None:
        try:
            return requests.post(url, json=payload, headers=headers, timeout=10).status_code
        except requests.RequestException as exc:
            log.warning("Webhook to %s failed: %s", url, exc)
            return None

    if wait:
        return post()
    threading.Thread(target=post, daemon=True).start()
    return None


def notify_request(state: OverseerrState, req: Request, *, created: bool, wait=False) -> None:
    """Send what Overseerr sends when a request is made or decided."""
    if created:
        kind = "MEDIA_AUTO_APPROVED" if req.status == APPROVED else "MEDIA_PENDING"
    else:
        kind = "MEDIA_APPROVED" if req.status == APPROVED else "MEDIA_DECLINED"
    send_webhook(state, webhook_payload(state, kind, req), wait=wait)
