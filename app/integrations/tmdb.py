"""TMDB (The Movie Database) v3: lists, search and details; one back-off shared by every process.

When TMDB answers 429 the Retry-After is kept in Redis, so no web process or worker calls it again
before then; callers answer from what is stored meanwhile.
"""

import logging

import requests
from flask import current_app
from redis.exceptions import RedisError

from app import settings
from app.extensions import redis_conn

log = logging.getLogger(__name__)

BACKOFF_KEY = "medianest:tmdb:backoff"
DEFAULT_RETRY = 10  # seconds, when a 429 says nothing
MAX_RETRY = 600
MAX_BYTES = 4 * 1024 * 1024

# Our list names and the TMDB paths that give them.
LISTS = {
    "trending": "/trending/all/week",
    "popular_movies": "/movie/popular",
    "popular_tv": "/tv/popular",
    "upcoming": "/movie/upcoming",
}


class TmdbError(Exception):
    """TMDB did not give a usable answer; the message is written for people."""


class NotFound(TmdbError):
    """TMDB has no such title."""


class RateLimited(TmdbError):
    """TMDB asked us to wait; `retry_after` seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"TMDB asked us to slow down; it can be asked again in {retry_after} s.")


def api_key() -> str:
    """The key set in Admin → Requests, else the one from MEDIANEST_TMDB_API_KEY."""
    return settings.get("tmdb.api_key") or current_app.config.get("TMDB_API_KEY") or ""


def configured() -> bool:
    return bool(api_key())


def _auth(key: str) -> tuple[dict, dict]:
    """TMDB takes a v3 key as a query parameter and a v4 read token (a JWT) as a Bearer header."""
    if key.count(".") == 2 and len(key) > 40:
        return {}, {"Authorization": f"Bearer {key}"}
    return {"api_key": key}, {}


def _message(response) -> str:
    try:
        text = response.json().get("status_message") or ""
    except (ValueError, AttributeError):
        text = ""
    return str(text)[:200]


class Client:
    """Calls to TMDB; built from the app once, then safe to use from other threads."""

    def __init__(self, key: str, base_url: str, timeout: float, redis):
        self.key, self.base_url, self.timeout, self.redis = (
            key,
            base_url.rstrip("/"),
            timeout,
            redis,
        )

    def backoff_left(self) -> int:
        """Seconds until TMDB may be asked again (0: now)."""
        try:
            ttl = self.redis.ttl(BACKOFF_KEY)
        except RedisError as exc:
            log.warning("Could not read TMDB's back-off: %s", exc)
            return 0
        return max(int(ttl or 0), 0)

    def _back_off(self, raw: str | None) -> int:
        seconds = DEFAULT_RETRY
        text = (raw or "").strip()
        if text.isascii() and text.isdigit() and len(text) < 6:
            seconds = int(text)
        seconds = min(max(seconds, 1), MAX_RETRY)
        try:
            self.redis.set(BACKOFF_KEY, "1", ex=seconds)
        except RedisError as exc:
            log.warning("Could not remember TMDB's back-off: %s", exc)
        return seconds

    def get(self, path: str, **params) -> dict:
        """GET one TMDB API path; raise TmdbError (or NotFound, RateLimited) in plain words."""
        if not self.key:
            raise TmdbError("No TMDB key is set.")
        left = self.backoff_left()
        if left:
            raise RateLimited(left)
        query, headers = _auth(self.key)
        headers["Accept"] = "application/json"
        try:
            response = requests.get(
                self.base_url + path,
                params={**params, **query},
                headers=headers,
                timeout=(3.05, self.timeout),
                allow_redirects=False,
            )
        except requests.Timeout:
            raise TmdbError(f"TMDB did not answer within {self.timeout:g} seconds.") from None
        except requests.RequestException:
            raise TmdbError("TMDB could not be reached.") from None
        if response.status_code == 429:
            raise RateLimited(self._back_off(response.headers.get("Retry-After")))
        return _read(response)

    def list_page(self, name: str, page: int = 1) -> dict:
        return self.get(LISTS[name], page=page, language="en-US")

    def search(self, query: str, page: int = 1) -> dict:
        params = {"query": query, "page": page, "include_adult": "false", "language": "en-US"}
        return self.get("/search/multi", **params)

    def details(self, media_type: str, tmdb_id: int) -> dict:
        path = f"/{'movie' if media_type == 'movie' else 'tv'}/{int(tmdb_id)}"
        return self.get(path, append_to_response="credits,external_ids", language="en-US")


def client() -> Client:
    """A client with this install's key and addresses."""
    config = current_app.config
    return Client(api_key(), config["TMDB_URL"], config["TMDB_TIMEOUT"], redis_conn())


def backoff_left() -> int:
    return client().backoff_left()


def _read(response) -> dict:
    status = response.status_code
    if status == 401:
        raise TmdbError("TMDB refused the API key; check it in Admin → Requests.")
    if status == 404:
        raise NotFound(_message(response) or "TMDB has no such title.")
    if status != 200:
        detail = _message(response)
        raise TmdbError(f"TMDB answered HTTP {status}" + (f": {detail}" if detail else "."))
    if len(response.content) > MAX_BYTES:
        raise TmdbError("TMDB sent a larger answer than we accept.")
    try:
        body = response.json()
    except ValueError:
        raise TmdbError("TMDB sent an answer that is not JSON.") from None
    if not isinstance(body, dict):
        raise TmdbError("TMDB sent an answer of an unexpected shape.")
    return body


def image_url(size: str, name: str) -> str:
    return f"{current_app.config['TMDB_IMAGE_URL'].rstrip('/')}/{size}/{name}"
