"""What the simulated Overseerr knows: users, media, requests, quotas, and its fault switches.

The rules follow Overseerr's server code (server/entity/MediaRequest.ts, routes/request.ts):
the caller (the API key's user 1, or ``X-Api-User``) decides auto-approval; quotas are charged to
the request's user in a rolling window, movies per request and seasons per show, declined ones not
counted, and callers with MANAGE_USERS bypass them.
"""

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# server/lib/permissions.ts
ADMIN = 2
MANAGE_SETTINGS = 4
MANAGE_USERS = 8
MANAGE_REQUESTS = 16
REQUEST = 32
AUTO_APPROVE = 128
AUTO_APPROVE_MOVIE = 256
AUTO_APPROVE_TV = 512
REQUEST_MOVIE = 262144
REQUEST_TV = 524288

# MediaRequestStatus and MediaStatus
PENDING, APPROVED, DECLINED, FAILED = 1, 2, 3, 4
MEDIA_STATUS = {
    1: "UNKNOWN",
    2: "PENDING",
    3: "PROCESSING",
    4: "PARTIALLY_AVAILABLE",
    5: "AVAILABLE",
}
MEDIA_CODES = {name: code for code, name in MEDIA_STATUS.items()}


class Refusal(Exception):
    """An answer other than success: status and the JSON body Overseerr sends."""

    def __init__(self, status: int, body: dict):
        super().__init__(status, body)
        self.status, self.body = status, body


def no_access() -> Refusal:
    # server/middleware/auth.ts isAuthenticated
    return Refusal(
        403, {"status": 403, "error": "You do not have permission to access this endpoint"}
    )


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class User:
    id: int
    username: str
    email: str
    plex_id: int | None
    permissions: int
    movie_quota_limit: int | None = None
    movie_quota_days: int | None = None
    tv_quota_limit: int | None = None
    tv_quota_days: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def has(self, *bits: int) -> bool:
        """Overseerr's hasPermission with type 'or'; ADMIN has every permission."""
        return bool(self.permissions & ADMIN) or any(self.permissions & bit for bit in bits)


@dataclass
class Media:
    id: int
    media_type: str
    tmdb_id: int
    tvdb_id: int | None
    status: int = 1
    # TV: season number -> MediaStatus of that season
    seasons: dict[int, int] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Request:
    id: int
    media: Media
    requested_by: User
    status: int
    seasons: list[int]
    modified_by: User | None = None
    is4k: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class OverseerrState:
    """Everything the simulated Overseerr holds, plus its switches. Safe across threads."""

    def __init__(self, api_key: str = "sim-overseerr-key", version: str = "1.34.0") -> None:
        self.lock = threading.RLock()
        self.api_key = api_key
        self.version = version
        self.users: dict[int, User] = {}
        self.media: dict[tuple[str, int], Media] = {}
        self.requests: dict[int, Request] = {}
        # Seasons (excluding specials) of each show; shows not listed have three.
        self.show_seasons: dict[int, int] = {}
        self.titles: dict[tuple[str, int], str] = {}
        # -- switches
        self.down = False  # answer 503 to everything
        self.slow_seconds = 0.0
        self.store_then_stall_seconds = 0.0  # store a new request, then answer this late
        self.status_override: int | None = None  # force 403 / 409 / 5xx
        self.garbage: str | None = None  # "html" or "garbage"
        # -- webhooks
        self.webhook_url: str | None = None
        self.webhook_auth: str = ""
        self.auto_available_seconds: float | None = None  # demo: approved -> available
        self.sent_webhooks: list[dict] = []
        self.calls: list[tuple[str, str, int | None]] = []  # (method, path, acting user)
        self._user_ids = itertools.count(1)
        self._media_ids = itertools.count(1)
        self._request_ids = itertools.count(1)
        self.add_user("admin", plex_id=None, permissions=ADMIN)

    # -- set-up ---------------------------------------------------------------------------------

    def add_user(self, username: str, *, plex_id: int | None, permissions: int = REQUEST, **quota):
        with self.lock:
            user = User(
                next(self._user_ids),
                username,
                f"{username}@example.com",
                plex_id,
                permissions,
                **quota,
            )
            self.users[user.id] = user
            return user

    def revoke_key(self) -> str:
        """Regenerate the API key (Settings → General); the old one stops working."""
        with self.lock:
            old, self.api_key = self.api_key, self.api_key + "-regenerated"
            return old

    def title_of(self, media_type: str, tmdb_id: int) -> str:
        return self.titles.get((media_type, tmdb_id), f"{media_type.title()} {tmdb_id}")

    def seasons_of(self, tmdb_id: int) -> list[int]:
        return list(range(1, self.show_seasons.get(tmdb_id, 3) + 1))

    # -- lookups --------------------------------------------------------------------------------

    def caller(self, api_key: str | None, api_user: str | None) -> User:
        """The user an API call acts as, or a 403 as Overseerr's auth middleware answers."""
        with self.lock:
            if not api_key or api_key != self.api_key:
                raise no_access()
            user_id = 1
            if api_user:
                try:
                    user_id = int(api_user)
                except ValueError:
                    raise no_access() from None
            user = self.users.get(user_id)
            if user is None:
                raise no_access()
            return user

    def request_for(self, caller: User, request_id: str) -> Request:
        with self.lock:
            req = self.requests.get(int(request_id)) if request_id.isdigit() else None
            if req is None:
                raise Refusal(404, {"message": "Request not found."})
            if req.requested_by is not caller and not caller.has(MANAGE_REQUESTS, 16384):
                raise Refusal(403, {"message": "You do not have permission to view this request."})
            return req

    def visible_requests(self, caller: User, requested_by: int | None) -> list[Request]:
        with self.lock:
            found = list(self.requests.values())
            if not caller.has(MANAGE_REQUESTS, 16384):
                found = [r for r in found if r.requested_by is caller]
            if requested_by is not None:
                found = [r for r in found if r.requested_by.id == requested_by]
            return found

    def _used(self, user: User, media_type: str, days: int) -> int:
        since = datetime.now(UTC) - timedelta(days=days)
        used = 0
        for req in self.requests.values():
            if req.requested_by is not user or req.media.media_type != media_type:
                continue
            if req.status == DECLINED or req.created_at < since:
                continue
            used += 1 if media_type == "movie" else len(req.seasons)
        return used

    def _check_quota(self, caller: User, user: User, media_type: str, count: int) -> None:
        if caller.has(MANAGE_USERS):
            return
        if media_type == "movie":
            limit, days, words = user.movie_quota_limit, user.movie_quota_days, "Movie"
        else:
            limit, days, words = user.tv_quota_limit, user.tv_quota_days, "Series"
        if limit and self._used(user, media_type, days or 7) + count > limit:
            raise Refusal(403, {"message": f"{words} Quota exceeded."})

    # -- changes --------------------------------------------------------------------------------

    def create_request(self, caller: User, body: dict) -> Request:
        """POST /request: a new request, or a Refusal (202, 403, 409) as Overseerr answers."""
        media_type, tmdb_id = body["mediaType"], int(body["mediaId"])
        with self.lock:
            user = caller
            if body.get("userId") is not None:
                if not caller.has(MANAGE_USERS):
                    raise Refusal(
                        403, {"message": "You do not have permission to modify the request user."}
                    )
                user = self.users.get(int(body["userId"]))
                if user is None:
                    raise Refusal(404, {"message": "User not found."})
            kind_bit = REQUEST_MOVIE if media_type == "movie" else REQUEST_TV
            if not caller.has(REQUEST, kind_bit):
                words = "movie" if media_type == "movie" else "series"
                raise Refusal(
                    403, {"message": f"You do not have permission to make {words} requests."}
                )
            media = self.media.get((media_type, tmdb_id))
            seasons = self._new_seasons(media, media_type, tmdb_id, body.get("seasons"))
            self._check_quota(
                caller, user, media_type, 1 if media_type == "movie" else len(seasons)
            )
            if media is None:
                media = Media(next(self._media_ids), media_type, tmdb_id, body.get("tvdbId"))
                self.media[(media_type, tmdb_id)] = media
            auto = caller.has(AUTO_APPROVE, AUTO_APPROVE_MOVIE if media_type == "movie" else 512)
            req = Request(
                next(self._request_ids),
                media,
                user,
                APPROVED if auto else PENDING,
                seasons,
                modified_by=caller if auto else None,
                is4k=bool(body.get("is4k")),
            )
            self.requests[req.id] = req
            self._media_moved(media, 3 if auto else 2, seasons)
        return req

    def _new_seasons(self, media, media_type, tmdb_id, asked) -> list[int]:
        active = [r for r in self.requests.values() if r.media is media and r.status != DECLINED]
        if media_type == "movie":
            if active or (media is not None and media.status == 5):
                raise Refusal(409, {"message": "Request for this media already exists."})
            return []
        wanted = self.seasons_of(tmdb_id) if asked in (None, "all") else sorted(set(asked))
        wanted = [int(s) for s in wanted if asked != "all" or s != 0]
        taken = {s for r in active for s in r.seasons}
        if media is not None:
            taken |= {s for s, status in media.seasons.items() if status >= 4}
        left = [s for s in wanted if s not in taken]
        if not left:
            raise Refusal(202, {"message": "No seasons available to request"})
        return left

    def _media_moved(self, media: Media, status: int, seasons=()) -> None:
        if status > media.status or media.status in (1, 2):
            media.status = max(media.status, status)
        for season in seasons:
            media.seasons[season] = max(media.seasons.get(season, 1), status)
        media.updated_at = datetime.now(UTC)

    def decide(self, caller: User, req: Request, verb: str) -> Request:
        """POST /request/{id}/approve|decline."""
        if not caller.has(MANAGE_REQUESTS):
            raise no_access()
        with self.lock:
            req.status = APPROVED if verb == "approve" else DECLINED
            req.modified_by, req.updated_at = caller, datetime.now(UTC)
            if req.status == APPROVED:
                self._media_moved(req.media, 3, req.seasons)
            return req

    def update(self, caller: User, req: Request, body: dict) -> Request:
        """PUT /request/{id}: change seasons (MANAGE_REQUESTS, or one's own pending request)."""
        own_pending = req.requested_by is caller and req.status == PENDING
        if not (caller.has(MANAGE_REQUESTS) or own_pending):
            raise no_access()
        with self.lock:
            if req.media.media_type == "tv" and body.get("seasons") is not None:
                req.seasons = sorted({int(s) for s in body["seasons"]})
            if body.get("userId") is not None and int(body["userId"]) in self.users:
                req.requested_by = self.users[int(body["userId"])]
            req.modified_by, req.updated_at = caller, datetime.now(UTC)
            return req

    def advance_media(self, tmdb_id: int, status, media_type: str = "movie") -> list:
        """Move a title along (Sonarr/Radarr at work) and send the webhooks Overseerr would."""
        from simulators.overseerr import advance_media

        return advance_media(self, tmdb_id, status, media_type=media_type)

    def set_media_status(self, media_type: str, tmdb_id: int, status: int) -> list[Request]:
        """Move a title's media status; return its requests that are not declined."""
        with self.lock:
            media = self.media.get((media_type, tmdb_id))
            if media is None:
                media = Media(next(self._media_ids), media_type, tmdb_id, None)
                self.media[(media_type, tmdb_id)] = media
            media.status = status
            for season in media.seasons:
                media.seasons[season] = status
            media.updated_at = datetime.now(UTC)
            return [r for r in self.requests.values() if r.media is media and r.status != DECLINED]
