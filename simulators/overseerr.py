"""A loopback Overseerr that honours its own OpenAPI spec (simulators/specs/overseerr-api.yml).

Every ``/api/v1`` call is validated against the spec with openapi-core first, as the real server
does with express-openapi-validator: an invalid one answers 400 ``{"message", "errors"}``. Then
``X-Api-Key`` (and ``X-Api-User``) pick the caller, and the rules in ``overseerr_state`` answer.

Switches live on ``OverseerrState`` (``down``, ``slow_seconds``, ``store_then_stall_seconds``,
``status_override``, ``garbage``, ``revoke_key()``); ``OverseerrSimulator`` also refuses connections
(``go_away()`` / ``come_back()`` on the same port). ``advance_media`` moves a title along and sends
the webhooks Overseerr would.
"""

import secrets
import threading
import time
from functools import lru_cache
from pathlib import Path

import yaml
from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import NotFound

from simulators import overseerr_render as render
from simulators.faults import html_error
from simulators.overseerr_state import (
    APPROVED,
    MANAGE_REQUESTS,
    MANAGE_USERS,
    MEDIA_CODES,
    OverseerrState,
    Refusal,
    no_access,
)
from simulators.server import RestartableSimulator

SPEC_PATH = Path(__file__).resolve().parent / "specs" / "overseerr-api.yml"

__all__ = ["OverseerrSimulator", "OverseerrState", "advance_media", "create_app", "openapi"]


@lru_cache(maxsize=1)
def openapi():
    """Overseerr's spec as openapi-core reads it, served under /api/v1 on any host."""
    from openapi_core import Config, OpenAPI

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(SPEC_PATH.read_text(), Loader=loader)  # noqa: S506 (a safe loader)
    spec["servers"] = [{"url": "/api/v1"}]
    # The spec is Overseerr's own, unchanged: checking it again on every start costs seconds.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def spec_errors(exc: Exception) -> list[dict]:
    """The validator's complaints, one per failed rule, as express-openapi-validator lists them."""
    cause = exc.__cause__
    found = [
        {"path": "/".join(map(str, e.absolute_path)) or ".", "message": e.message}
        for e in getattr(cause, "schema_errors", ()) or ()
    ]
    return found or [{"path": ".", "message": str(cause or exc)}]


def validate(req) -> Response | None:
    """A 400 (or 404 for an unknown path) if req breaks the spec; None if it honours it."""
    from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
    from openapi_core.templating.paths.exceptions import PathNotFound
    from openapi_core.validation.request.exceptions import SecurityValidationError

    try:
        openapi().validate_request(WerkzeugOpenAPIRequest(req))
    except SecurityValidationError:
        return None  # the key is checked below, with Overseerr's own 403
    except PathNotFound:
        return _json({"message": "not found", "errors": [{"path": req.path}]}, 404)
    except Exception as exc:  # every other openapi-core complaint is an invalid request
        errors = spec_errors(exc)
        where = str(exc).split(":", 1)[0]
        return _json({"message": f"{where}: {errors[0]['message']}", "errors": errors}, 400)
    return None


def _json(body, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _state() -> OverseerrState:
    return current_app.config["OVERSEERR_STATE"]


def _fault(state: OverseerrState) -> Response | None:
    if state.slow_seconds:
        time.sleep(state.slow_seconds)
    if state.down:
        return html_error(503)
    if state.status_override:
        status = int(state.status_override)
        if status == 403:
            return _json(no_access().body, 403)
        if status == 409:
            return _json({"message": "Request for this media already exists."}, 409)
        return _json({"message": "Internal Server Error"}, status)
    if state.garbage == "html":
        page = "<!doctype html><html><head><title>Sign in</title></head><body>Proxy</body></html>"
        return Response(page, 200, content_type="text/html")
    if state.garbage:
        return Response('{"pageInfo": {"pages": 1, "resu', 200, content_type="application/json")
    return None


def _caller():
    return _state().caller(request.headers.get("X-Api-Key"), request.headers.get("X-Api-User"))


def _int_arg(name: str, default: int) -> int:
    try:
        return int(float(request.args.get(name) or default))
    except ValueError:
        return default


FILTERS = {
    "approved": lambda r: r.status == APPROVED,
    "pending": lambda r: r.status == 1,
    "processing": lambda r: r.status == APPROVED and r.media.status == 3,
    "available": lambda r: r.media.status == 5,
    "unavailable": lambda r: r.status in (1, 2) and r.media.status != 5,
    "failed": lambda r: r.status == 4,
}

# routes/request.ts GET /request/count
COUNTS = {
    "movie": lambda r: r.media.media_type == "movie",
    "tv": lambda r: r.media.media_type == "tv",
    "pending": lambda r: r.status == 1,
    "approved": lambda r: r.status == APPROVED,
    "declined": lambda r: r.status == 3,
    "processing": FILTERS["processing"],
    "available": FILTERS["available"],
}


def create_app(state: OverseerrState) -> Flask:
    """Build the WSGI app that answers as Overseerr from ``state``."""
    app = Flask(__name__)
    app.config["OVERSEERR_STATE"] = state
    openapi()  # read the spec now, not during the first call (whose caller may time out)

    @app.before_request
    def checks():
        if not request.path.startswith("/api/v1/"):
            return None
        caller_id = request.headers.get("X-Api-User")
        state.calls.append((request.method, request.path, caller_id))
        return _fault(state) or validate(request)

    @app.errorhandler(Refusal)
    def refused(exc: Refusal):
        return _json(exc.body, exc.status)

    @app.errorhandler(NotFound)
    def not_found(_exc):
        return _json({"message": "not found"}, 404)

    @app.get("/api/v1/status")
    def status():
        return _json(
            {
                "version": state.version,
                "commitTag": "local",
                "updateAvailable": False,
                "commitsBehind": 0,
                "restartRequired": False,
            }
        )

    @app.get("/api/v1/auth/me")
    def me():
        return _json(render.user_json(_caller(), state))

    @app.get("/api/v1/user")
    def users():
        if not _caller().has(MANAGE_USERS):
            raise no_access()
        with state.lock:
            found = [render.user_json(u, state) for u in state.users.values()]
        return _json(render.page_json(found, _int_arg("take", 10), _int_arg("skip", 0)))

    @app.post("/api/v1/request")
    def create_request():
        req = state.create_request(_caller(), request.get_json())
        render.notify_request(state, req, created=True)
        if req.status == APPROVED:
            state_schedule_available(state, req)
        if state.store_then_stall_seconds:
            time.sleep(state.store_then_stall_seconds)
        return _json(render.request_json(req, state), 201)

    @app.get("/api/v1/request")
    def list_requests():
        requested_by = request.args.get("requestedBy")
        found = state.visible_requests(_caller(), _int_arg("requestedBy", 0) or None)
        if requested_by is not None and not found:
            found = []
        keep = FILTERS.get(request.args.get("filter") or "all")
        if keep is not None:
            found = [r for r in found if keep(r)]
        key = (lambda r: r.updated_at) if request.args.get("sort") == "modified" else None
        found.sort(key=key or (lambda r: r.created_at), reverse=True)
        items = [render.request_json(r, state) for r in found]
        return _json(render.page_json(items, _int_arg("take", 10), _int_arg("skip", 0)))

    @app.get("/api/v1/request/count")
    def request_count():
        if not _caller().has(MANAGE_REQUESTS, 16384):  # or REQUEST_VIEW
            raise no_access()
        with state.lock:
            found = list(state.requests.values())
        counts = {name: sum(1 for r in found if keep(r)) for name, keep in COUNTS.items()}
        return _json({"total": len(found), **counts})

    @app.get("/api/v1/request/<request_id>")
    def one_request(request_id):
        return _json(render.request_json(state.request_for(_caller(), request_id), state))

    @app.put("/api/v1/request/<request_id>")
    def update_request(request_id):
        caller = _caller()
        req = state.update(caller, state.request_for(caller, request_id), request.get_json())
        return _json(render.request_json(req, state))

    @app.post("/api/v1/request/<request_id>/<verb>")
    def decide(request_id, verb):
        caller = _caller()
        req = state.decide(caller, state.request_for(caller, request_id), verb)
        render.notify_request(state, req, created=False)
        if req.status == APPROVED:
            state_schedule_available(state, req)
        return _json(render.request_json(req, state))

    @app.get("/api/v1/movie/<movie_id>")
    def movie(movie_id):
        _caller()
        return _json(render.title_json(state, "movie", int(float(movie_id))))

    @app.get("/api/v1/tv/<tv_id>")
    def tv(tv_id):
        _caller()
        return _json(render.title_json(state, "tv", int(float(tv_id))))

    return app


def advance_media(state: OverseerrState, tmdb_id: int, status, *, media_type: str = "movie"):
    """Move a title to status (a MediaStatus number or name) and send MEDIA_AVAILABLE webhooks.

    Returns the HTTP status of each webhook sent (None when it could not be delivered).
    """
    code = MEDIA_CODES[status.upper()] if isinstance(status, str) else int(status)
    found = state.set_media_status(media_type, tmdb_id, code)
    if code not in (4, 5):
        return []
    return [
        render.send_webhook(state, render.webhook_payload(state, "MEDIA_AVAILABLE", req))
        for req in found
        if req.status == APPROVED
    ]


def state_schedule_available(state: OverseerrState, req) -> None:
    """Demo mode: an approved request is processing at once and available a little later."""
    delay = state.auto_available_seconds
    if delay is None:
        return
    media = req.media

    def later():
        advance_media(state, media.tmdb_id, "AVAILABLE", media_type=media.media_type)

    timer = threading.Timer(delay, later)
    timer.daemon = True
    timer.start()


class OverseerrSimulator(RestartableSimulator):
    """The simulator on a loopback port that can also go away (connection refused) and return."""

    def __init__(self, state: OverseerrState | None = None):
        self.state = state or OverseerrState()
        super().__init__(create_app(self.state))


DEMO_WEBHOOK_AUTH = "Bearer demo-overseerr-webhook"


def demo_state(plex_state, medianest_url: str) -> OverseerrState:
    """Demo mode's Overseerr: the demo Plex accounts as its users, webhooks to MediaNest.

    Approved requests become available a few seconds later, so a newcomer sees the whole way.
    """
    from simulators.overseerr_state import REQUEST

    state = OverseerrState(api_key="demo-" + secrets.token_hex(16))
    with plex_state.lock:
        accounts = sorted(plex_state.accounts.values(), key=lambda a: a.id)
    owner, others = accounts[0], accounts[1:]
    state.users[1].username, state.users[1].plex_id = owner.username, owner.id
    for account in others:
        state.add_user(account.username, plex_id=account.id, permissions=REQUEST)
    state.webhook_url = medianest_url.rstrip("/") + "/webhooks/overseerr"
    state.webhook_auth = DEMO_WEBHOOK_AUTH
    state.auto_available_seconds = 8.0
    return state
