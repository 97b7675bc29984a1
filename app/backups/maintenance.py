"""Maintenance while a restore from Admin replaces the database.

Every web process answers pages with a short "being restored" page (503) instead of touching
the database, and once it is over drops its pooled connections (a SQLite file was replaced;
PostgreSQL's tables were made again). The state is in Redis, so every process sees it.
"""

import json
import logging
import time

from flask import Flask, current_app, render_template, request
from redis.exceptions import RedisError

from app.extensions import db, redis_conn
from app.models.base import utcnow

log = logging.getLogger(__name__)

KEY = "medianest:maintenance"  # JSON {"what", "since"}; expires unless the restore extends it
GENERATION = "medianest:database-generation"  # bumped by each restore
TTL = 15 * 60
RECHECK = 1.0  # seconds a web process trusts what it last read
OPEN = {"static", "ops.health", "ops.ready", "ops.favicon"}
UNREAD = object()  # a process that never read the generation has nothing to drop


def begin(what: str) -> None:
    state = {"what": what, "since": utcnow().isoformat(timespec="seconds")}
    redis_conn().set(KEY, json.dumps(state), ex=TTL)
    _cache()["state"] = state  # this process knows at once; the others within RECHECK


def extend() -> None:
    redis_conn().expire(KEY, TTL)


def end() -> None:
    pipe = redis_conn().pipeline()
    pipe.incr(GENERATION)
    pipe.delete(KEY)
    pipe.execute()


def current() -> dict | None:
    """The maintenance under way, or None (also when Redis cannot say)."""
    try:
        raw = redis_conn().get(KEY)
    except RedisError:
        return None
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _cache() -> dict:
    return current_app.extensions.setdefault(
        "medianest.maintenance", {"at": -RECHECK, "state": None, "generation": UNREAD}
    )


def _read() -> tuple[dict | None, bytes | None]:
    _seen = _cache()
    now = time.monotonic()
    if now - _seen["at"] >= RECHECK:
        try:
            raw, generation = redis_conn().mget(KEY, GENERATION)
            state = json.loads(raw) if raw else None
        except (RedisError, ValueError):
            state, generation = None, _seen["generation"]
        if _seen["generation"] is not UNREAD and generation != _seen["generation"]:
            db.engine.dispose()  # opened on the database the restore replaced
        _seen.update(at=now, state=state, generation=generation)
    return _seen["state"], _seen["generation"]


def _guard():
    if request.endpoint in OPEN:
        return None
    state, _generation = _read()
    if state is None:
        return None
    page = render_template("maintenance.html", state=state)
    return page, 503, {"Retry-After": "10", "Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    # First of all hooks: nothing before it may read the database being replaced.
    app.before_request_funcs.setdefault(None, []).insert(0, _guard)
