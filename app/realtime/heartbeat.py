"""Each web process says it is alive: a Redis key per process that expires unless refreshed.

Under gunicorn each worker refreshes it from a thread of its own (gunicorn.conf.py); the
pub/sub listener thread (app/realtime/hub.py) refreshes it while sockets are open, and any
request at most every EVERY seconds, which covers other servers (the tests' live server).
"""

import os
import socket
import threading
import time

from flask import current_app
from redis.exceptions import RedisError

PREFIX = "medianest:web:"
SECONDS = 60  # a process that has not refreshed its key for this long is gone
EVERY = 20


def key() -> str:
    return f"{PREFIX}{socket.gethostname()}:{os.getpid()}"


def beat(redis) -> None:
    redis.set(key(), 1, ex=SECONDS)


def alive(redis) -> int:
    """How many web processes refreshed their key within the last SECONDS."""
    return sum(1 for _ in redis.scan_iter(match=PREFIX + "*", count=500))


def on_request() -> None:
    """Refresh this process's key if the last refresh is EVERY seconds old (one per app)."""
    from app.extensions import redis_conn

    now = time.monotonic()
    extensions = current_app.extensions
    if now < extensions.get("medianest.web_beat", 0):
        return
    extensions["medianest.web_beat"] = now + EVERY
    try:
        beat(redis_conn())
    except RedisError:
        pass  # without Redis nothing counts processes; try again in EVERY seconds, not per request


def keep_beating(app) -> threading.Thread:
    """Refresh this process's key every EVERY seconds from a daemon thread, for its lifetime."""
    from app.extensions import redis_conn

    def run() -> None:
        while True:
            with app.app_context():
                try:
                    beat(redis_conn())
                except RedisError:
                    pass  # the card says no web process checked in; the next beat may
            time.sleep(EVERY)

    thread = threading.Thread(target=run, name="web-heartbeat", daemon=True)
    thread.start()
    return thread
