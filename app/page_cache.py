"""Whole pages kept per browser session until anything in the database changes.

Every connection that wrote (INSERT, UPDATE, DELETE, DDL) bumps one counter in Redis when it goes
back to its pool, which is after its commit or rollback, in the web and in the workers alike. A
page is served from the cache only while that counter is what it was before the page was built,
so a cached page can never show less than the database held when it was asked for. Pages that
speak of time ("3 minutes ago") are also rebuilt after CACHE_SECONDS.
"""

import logging
import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from redis import Redis, RedisError
from sqlalchemy import event

from app.extensions import db
from app.htmx import wants_fragment

log = logging.getLogger(__name__)

VERSION_KEY = "medianest:db-version"
CACHE_SECONDS = 10.0
MAX_PAGES = 512  # sessions remembered per process (a page is some tens of KB)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "DROP", "ALTER", "TRUNCA")
EXTENSION = "medianest.page_cache"


class PageCache:
    def __init__(self, redis_url: str, ttl: float):
        self.redis_url, self.ttl = redis_url, ttl
        self.lock = threading.Lock()
        self.pages: OrderedDict[tuple, tuple[bytes, float, tuple]] = OrderedDict()
        self._redis: Redis | None = None
        self.warned_at = -60.0

    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=1)
        return self._redis

    def bump(self) -> None:
        try:
            self.redis().incr(VERSION_KEY)
        except RedisError as exc:  # readers cannot read the counter either, so they build
            if time.monotonic() - self.warned_at > 60:
                self.warned_at = time.monotonic()
                log.warning("Could not mark the database changed: %s", exc)

    def version(self) -> bytes | None:
        try:
            found = self.redis().get(VERSION_KEY)
            if found is None:  # a new or restarted Redis: start where no old copy can match
                self.redis().set(VERSION_KEY, secrets.randbits(62), nx=True)
                found = self.redis().get(VERSION_KEY)
            return found
        except RedisError:
            return None

    def get(self, key: tuple, version: bytes) -> tuple | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None or found[0] != version or found[1] < time.monotonic():
                return None
            self.pages.move_to_end(key)
            return found[2]

    def put(self, key: tuple, version: bytes, page: tuple) -> None:
        with self.lock:
            self.pages[key] = (version, time.monotonic() + self.ttl, page)
            self.pages.move_to_end(key)
            while len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)


def _mark_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if statement.lstrip()[:6].upper() in _WRITES:
        conn.info["medianest.wrote"] = True


def init_app(app: Flask) -> None:
    cache = PageCache(app.config["REDIS_URL"], app.config.get("PAGE_CACHE_SECONDS", CACHE_SECONDS))
    app.extensions[EXTENSION] = cache
    with app.app_context():
        engine = db.engine

    def checked_in(_dbapi_connection, record) -> None:
        if record is not None and record.info.pop("medianest.wrote", False):
            cache.bump()

    event.listen(engine, "before_cursor_execute", _mark_write)
    event.listen(engine, "checkin", checked_in)


def per_session(view):
    """Serve this session's copy of the page at this address while the database is unchanged.

    Goes outside login_required: a copy is kept only for the signed-in session it was built for
    (the signed session cookie names it), and signing out, a revoked session or a disabled
    person all write to the database, which retires every copy. Not kept: pages carrying a
    flashed message, htmx fragments, anything but a 200 page, and anything built while Redis,
    which holds the counter, is out of reach."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        cache: PageCache = current_app.extensions[EXTENSION]
        cookie_id = session.get("_user_id")
        if not cookie_id or "_flashes" in session or wants_fragment():
            return view(*args, **kwargs)
        version = cache.version()  # read before the page reads the database
        if version is None:
            return view(*args, **kwargs)
        # The page's form token is bound to the token this cookie carries: the key holds both.
        found = cache.get(_key(cookie_id), version) if session.get("csrf_token") else None
        if found is not None:
            html, targets = found
            g.form_targets = set(targets)  # what the page's forms needed in its CSP
            response = make_response(html)
            response.vary.add("HX-Request")
            return response
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html" and _same(cookie_id):
            page = (response.get_data(as_text=True), g.get("form_targets", ()))
            cache.put(_key(cookie_id), version, page)
        return response

    return wrapper


def _key(cookie_id: str) -> tuple:
    return cookie_id, session.get("csrf_token"), request.full_path


def _same(cookie_id: str) -> bool:
    return current_user.is_authenticated and current_user.get_id() == cookie_id
