"""What each outbox action tells Overseerr, and what an answer or a failure does to the request."""

from datetime import timedelta

from flask import current_app

from app.integrations import overseerr
from app.models import MediaRequest, RequestAction
from app.models.base import utcnow
from app.requests import delivery, history, matches, states
from app.requests import overseerr_sync as sync

HOLD = timedelta(hours=1)  # an unmatched person waits this long before we look again
MAX_BACKOFF = 15 * 60


def run(client, req: MediaRequest, action: RequestAction) -> str:
    """Deliver one claimed action: done, waiting (retried later) or failed (final)."""
    if not delivery.overseerr_configured():
        _wait(action, req, "Overseerr is not set up yet.", HOLD.total_seconds())
        return "waiting"
    try:
        outcome = HANDLERS[action.kind](client, req, action)
    except overseerr.OverseerrError as exc:
        return _failed(action, req, exc)
    sync.all_clear(sync.KEY_SUBJECT)
    return outcome


def _done(action: RequestAction) -> str:
    action.state, action.done_at, action.last_error = "done", utcnow(), None
    return "done"


def _wait(
    action: RequestAction, req: MediaRequest, words: str, seconds: float, *, tried: bool = True
) -> None:
    """Leave the action pending, due again in seconds; say why in the history once."""
    action.attempts += int(tried)
    action.due_at = utcnow() + timedelta(seconds=seconds)
    if action.last_error != words:
        history.note(req, f"Waiting to reach Overseerr: {words}", source="delivery")
    action.last_error = words
    req.delivery, req.delivery_error = "waiting", words


def _backoff(action: RequestAction) -> float:
    base = float(current_app.config["OVERSEERR_RETRY_SECONDS"])
    return min(MAX_BACKOFF, base * 2 ** min(action.attempts, 10))


def _failed(action: RequestAction, req: MediaRequest, exc: overseerr.OverseerrError) -> str:
    words = str(exc)
    if isinstance(exc, overseerr.CircuitOpen):
        # Not a try of its own: held back, it must not lengthen the back-off.
        _wait(action, req, words, max(1.0, exc.until - utcnow().timestamp()), tried=False)
        return "waiting"
    if isinstance(exc, overseerr.BadKey):
        _wait(action, req, words, _backoff(action))
        sync.tell_admins_once(sync.KEY_SUBJECT, "Overseerr refused MediaNest's API key", words)
        return "waiting"
    if exc.retry:
        _wait(action, req, words, _backoff(action))
        return "waiting"
    action.state, action.last_error, action.done_at = "failed", words, utcnow()
    req.delivery, req.delivery_error = "failed", words
    if action.kind == "submit":
        history.advance(req, states.FAILED, source="overseerr", message=words)
    else:
        history.note(req, f"Overseerr did not take the change: {words}", source="overseerr")
    return "failed"


def _overseerr_user(client, req: MediaRequest, action: RequestAction) -> int | None:
    found = matches.overseerr_user_of(req.user_id)
    if found is None:
        matches.refresh(client)
        found = matches.overseerr_user_of(req.user_id)
    if found is None:
        name = req.user.username
        words = (
            f"{name} has no Overseerr account matched by Plex: import them in Overseerr, "
            "then press Import matches under Admin → Requests."
        )
        _wait(action, req, words, HOLD.total_seconds())
        sync.tell_admins_once(
            sync.UNMATCHED_SUBJECT, "Requests are waiting for an Overseerr account", words
        )
    return found


def submit_body(req: MediaRequest) -> dict:
    """POST /api/v1/request's body (MediaRequestBody) for req."""
    body = {"mediaType": req.media_type, "mediaId": req.tmdb_id}
    if req.media_type == "tv":
        body["seasons"] = sorted(int(s) for s in req.seasons) if req.seasons else "all"
        if req.tvdb_id:
            body["tvdbId"] = req.tvdb_id
    return body


def _submit(client, req: MediaRequest, action: RequestAction) -> str:
    if req.overseerr_id is not None:
        return _done(action)  # delivered by an earlier run
    if req.status == states.DECLINED:
        # Declined here before Overseerr heard of it: it never needs to.
        req.delivery, req.delivery_error = None, None
        history.note(req, "Declined before it reached Overseerr: not sent.", source="delivery")
        return _done(action)
    user = _overseerr_user(client, req, action)
    if user is None:
        return "waiting"
    try:
        created = client.create_request(submit_body(req), as_user=user)
        sync.link(req, created)
    except (overseerr.Duplicate, overseerr.NothingLeft) as exc:
        existing = sync.find_existing(client, req, user)
        if existing is None:
            raise
        sync.link(req, existing, words=f"{exc} Linked to Overseerr request #{existing['id']}.")
        created = existing
    if req.status in states.PROGRESS[1:] and created.get("status") == 1:
        delivery.queue(req, "approve")  # approved here; Overseerr still waits for an admin
    return _done(action)


def _decide(verb: str):
    def handler(client, req: MediaRequest, action: RequestAction) -> str:
        if req.overseerr_id is None:
            return _done(action)  # not delivered yet: the submission carries our decision
        answer = client.decide(req.overseerr_id, verb)
        history.note(req, f"Overseerr has it {verb}d.", source="delivery")
        sync.apply(req, answer, source="overseerr")
        return _done(action)

    return handler


def _seasons(client, req: MediaRequest, action: RequestAction) -> str:
    if req.overseerr_id is None:
        return _done(action)
    seasons = action.payload.get("seasons") or req.seasons
    body = {"mediaType": "tv", "seasons": sorted(int(s) for s in seasons)}
    client.update_request(req.overseerr_id, body)
    history.note(req, "Overseerr has the new seasons.", source="delivery")
    return _done(action)


HANDLERS = {
    "submit": _submit,
    "approve": _decide("approve"),
    "decline": _decide("decline"),
    "seasons": _seasons,
}
