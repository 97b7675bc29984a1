"""Overseerr (or Seerr): the calls MediaNest makes, their errors in plain words, a shared breaker.

Every call sends ``X-Api-Key``; calls made for a person add ``X-Api-User`` so Overseerr applies
that user's permissions, quotas and approval workflow (see shared/specs/README.md).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from app import settings

log = logging.getLogger(__name__)

API = "/api/v1"


class OverseerrError(Exception):
    """Overseerr gave no usable answer; str() is written for people. retry: worth trying later."""

    retry = False
    breaker = False  # counts towards opening the circuit breaker

    def __init__(self, message: str, status: int | None = None, body=None):
        super().__init__(message)
        self.status, self.body = status, body


class NotConfigured(OverseerrError):
    """No address to call: a setting to fill in, not an outage."""


class Unreachable(OverseerrError):
    retry = breaker = True


class TimedOut(OverseerrError):
    retry = breaker = True


class BadAnswer(OverseerrError):
    """A 5xx, an HTML page or a body that is not JSON."""

    retry = breaker = True


class CircuitOpen(OverseerrError):
    retry = True

    def __init__(self, message: str, until: float):
        super().__init__(message)
        self.until = until


class BadKey(OverseerrError):
    """The API key is wrong or was regenerated: nothing works until an admin enters the new one."""

    retry = True


class Refused(OverseerrError):
    """403 for this call: a quota, or a permission the Overseerr user lacks. Overseerr's words."""


class Duplicate(OverseerrError):
    """409: Overseerr already has a request for this."""


class NothingLeft(OverseerrError):
    """202: every season asked for is already requested or available."""


class Invalid(OverseerrError):
    """400: Overseerr says the call does not follow its API."""


class NotFound(OverseerrError):
    pass


def _words(body) -> str:
    if isinstance(body, dict):
        text = body.get("message") or body.get("error") or ""
        return str(text)[:300]
    return ""


@dataclass
class Breaker:
    """A circuit breaker kept in Redis, so every web process and worker sees the same state."""

    redis: Redis
    failures: int = 5
    seconds: float = 30
    prefix: str = "medianest:overseerr:breaker"

    def _get(self, name: str) -> str | None:
        value = self.redis.get(f"{self.prefix}:{name}")
        return None if value is None else value.decode()

    def open_until(self) -> float | None:
        try:
            value = self._get("open_until")
        except RedisError:
            return None  # without Redis, do not stop calling
        return float(value) if value else None

    def is_open(self) -> bool:
        return self.open_until() is not None

    def before(self, probe: Callable[[], None], on_close: Callable[[], None] | None) -> None:
        """Return if a call may go ahead; raise CircuitOpen if not. Probes once it is time."""
        until = self.open_until()
        if until is None:
            return
        now = time.time()
        if now < until:
            raise CircuitOpen(self._open_words(), until)
        try:
            mine = self.redis.set(f"{self.prefix}:probe", "1", nx=True, ex=30)
        except RedisError:
            mine = True
        if not mine:
            raise CircuitOpen(self._open_words(), now + 2)
        try:
            probe()
        except OverseerrError:
            self._open(time.time() + self.seconds)
            raise CircuitOpen(self._open_words(), time.time() + self.seconds) from None
        finally:
            self.redis.delete(f"{self.prefix}:probe")
        self.reset()
        if on_close is not None:
            on_close()

    def _open_words(self) -> str:
        return "Overseerr has not been answering; MediaNest will try again shortly."

    def _open(self, until: float) -> None:
        try:
            self.redis.set(f"{self.prefix}:open_until", repr(until))
        except RedisError:
            pass

    def failed(self) -> None:
        try:
            count = self.redis.incr(f"{self.prefix}:failures")
        except RedisError:
            return
        if count >= self.failures:
            self._open(time.time() + self.seconds)

    def succeeded(self) -> None:
        try:
            self.redis.delete(f"{self.prefix}:failures")
        except RedisError:
            pass

    def reset(self) -> None:
        try:
            self.redis.delete(f"{self.prefix}:failures", f"{self.prefix}:open_until")
        except RedisError:
            pass


class OverseerrClient:
    """One Overseerr instance: base URL, API key, timeout, and optionally the shared breaker."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10, breaker=None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = (min(3.05, timeout), timeout)
        self.breaker = breaker
        self.on_recovered: Callable[[], None] | None = None
        self.session = requests.Session()

    # -- building and sending ----------------------------------------------------------------

    def prepare(self, method, path, *, params=None, body=None, as_user=None):
        if not self.base_url.startswith(("http://", "https://")):
            raise NotConfigured("No Overseerr address is saved: enter it and save first.")
        headers = {"X-Api-Key": self.api_key, "Accept": "application/json"}
        if as_user is not None:
            headers["X-Api-User"] = str(int(as_user))
        request = requests.Request(
            method, f"{self.base_url}{API}{path}", params=params, json=body, headers=headers
        )
        return self.session.prepare_request(request)

    def _call(self, prepared, *, guarded: bool = True):
        if guarded and self.breaker is not None:
            self.breaker.before(self._probe, self.on_recovered)
        try:
            response = self._send(prepared)
        except OverseerrError as exc:
            if guarded and exc.breaker and self.breaker is not None:
                self.breaker.failed()
            raise
        if guarded and self.breaker is not None:
            self.breaker.succeeded()
        return response

    def _send(self, prepared):
        """Send one call; return (status, JSON body) for a 2xx, raise the plain-words error else."""
        try:
            response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout:
            raise TimedOut(
                f"Overseerr did not answer within {self.timeout[1]:g} seconds."
            ) from None
        except requests.RequestException:
            raise Unreachable(
                f"Overseerr could not be reached at {self.base_url}: is it running?"
            ) from None
        status = response.status_code
        body = self._json(response)
        if status >= 500:
            raise BadAnswer(f"Overseerr had an error (HTTP {status}); will try again.", status)
        if body is None:
            raise BadAnswer(
                "Overseerr's address answered with something that is not Overseerr's API "
                "(a web page or a broken answer): check the address.",
                status,
            )
        if 200 <= status < 300 and status != 202:
            return status, body
        raise self._refusal(status, body, prepared)

    @staticmethod
    def _json(response):
        if "json" not in response.headers.get("Content-Type", ""):
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def _refusal(self, status: int, body, prepared) -> OverseerrError:
        words = _words(body)
        if status == 202:
            return NothingLeft(f"Overseerr: {words or 'No seasons available to request'}.", 202)
        if status == 400:
            return Invalid(f"Overseerr refused the request as invalid: {words}", 400, body)
        if status == 409:
            return Duplicate(f"Overseerr already has this request ({words})", 409)
        if status == 404:
            return NotFound(f"Overseerr does not know it ({words or 'not found'}).", 404)
        if status in (401, 403):
            if isinstance(body, dict) and "error" in body and not self._key_works(prepared):
                return BadKey(
                    "Overseerr refused MediaNest's API key: an admin must enter the current "
                    "one under Admin → Requests.",
                    status,
                )
            return Refused(f"Overseerr refused: {words or 'no permission'}", status, body)
        return BadAnswer(f"Overseerr answered HTTP {status}: {words}", status)

    def _key_works(self, prepared) -> bool:
        """Whether the key itself is accepted (the refusal was about the acting user)."""
        if prepared.path_url.endswith(f"{API}/auth/me") and "X-Api-User" not in prepared.headers:
            return False
        try:
            self._send(self.prepare("GET", "/auth/me"))
        except OverseerrError:
            return False
        return True

    def _probe(self) -> None:
        self._send(self.prepare("GET", "/status"))

    # -- the calls -------------------------------------------------------------------------------

    def status(self) -> dict:
        return self._call(self.prepare("GET", "/status"))[1]

    def request_count(self) -> dict:
        """How many requests there are: total, movie, tv, pending, approved, declined, ..."""
        return self._call(self.prepare("GET", "/request/count"))[1]

    def me(self) -> dict:
        return self._call(self.prepare("GET", "/auth/me"))[1]

    def users(self, take: int = 100, skip: int = 0) -> dict:
        params = {"take": take, "skip": skip, "sort": "created"}
        return self._call(self.prepare("GET", "/user", params=params))[1]

    def all_users(self, page: int = 100) -> list[dict]:
        found, skip = [], 0
        while True:
            results = self.users(page, skip).get("results") or []
            found.extend(r for r in results if isinstance(r, dict))
            if len(results) < page or skip > 100_000:
                return found
            skip += page

    def create_request(self, body: dict, *, as_user: int | None) -> dict:
        return self._call(self.prepare("POST", "/request", body=body, as_user=as_user))[1]

    def requests(self, *, as_user=None, **params) -> dict:
        return self._call(self.prepare("GET", "/request", params=params, as_user=as_user))[1]

    def request(self, request_id: int) -> dict:
        return self._call(self.prepare("GET", f"/request/{int(request_id)}"))[1]

    def decide(self, request_id: int, verb: str) -> dict:
        assert verb in ("approve", "decline"), verb
        return self._call(self.prepare("POST", f"/request/{int(request_id)}/{verb}"))[1]

    def update_request(self, request_id: int, body: dict) -> dict:
        return self._call(self.prepare("PUT", f"/request/{int(request_id)}", body=body))[1]

    def title(self, media_type: str, tmdb_id: int) -> dict:
        path = f"/movie/{int(tmdb_id)}" if media_type == "movie" else f"/tv/{int(tmdb_id)}"
        return self._call(self.prepare("GET", path))[1]


def breaker() -> Breaker:
    from app.extensions import redis_conn

    config = current_app.config
    return Breaker(
        redis_conn(),
        failures=int(config["OVERSEERR_BREAKER_FAILURES"]),
        seconds=float(config["OVERSEERR_BREAKER_SECONDS"]),
    )


def client(url: str | None = None, api_key: str | None = None, *, guarded: bool = True):
    """The configured Overseerr (or the one given), with the shared breaker unless told not to."""
    return OverseerrClient(
        url if url is not None else settings.get("overseerr.url"),
        api_key if api_key is not None else settings.get("overseerr.api_key"),
        timeout=float(current_app.config["OVERSEERR_TIMEOUT"]),
        breaker=breaker() if guarded else None,
    )
