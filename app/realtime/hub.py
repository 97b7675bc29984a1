"""One Redis subscription per web process, handing events to that process's sockets."""

import logging
import queue
import threading
import time
from collections import defaultdict

from redis import Redis
from redis.exceptions import RedisError

from app.realtime.events import PREFIX

log = logging.getLogger(__name__)

SOCKET_BACKLOG = 1000  # events one slow socket may fall behind before newer ones are dropped


class Hub:
    def __init__(self, redis_url: str):
        self.redis_url = redis_url
        self._lock = threading.Lock()
        self._queues: dict[str, set[queue.Queue]] = defaultdict(set)
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    def subscribe(self, channels) -> queue.Queue:
        """Register a socket's queue for these channels and make sure the listener runs."""
        inbox: queue.Queue = queue.Queue(maxsize=SOCKET_BACKLOG)
        with self._lock:
            for channel in channels:
                self._queues[channel].add(inbox)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="hub", daemon=True)
                self._thread.start()
        return inbox

    def unsubscribe(self, inbox: queue.Queue, channels) -> None:
        with self._lock:
            for channel in channels:
                self._queues[channel].discard(inbox)
                if not self._queues[channel]:
                    del self._queues[channel]

    def socket_count(self) -> int:
        with self._lock:
            return len({id(q) for qs in self._queues.values() for q in qs})

    def dispatch(self, channel: str, data: bytes) -> None:
        with self._lock:
            inboxes = list(self._queues.get(channel, ()))
        for inbox in inboxes:
            try:
                inbox.put_nowait(data)
            except queue.Full:
                log.warning("A socket on %s is too slow; dropping an event", channel)

    def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                client = Redis.from_url(self.redis_url, health_check_interval=30)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PREFIX + "*")
                self.listening.set()
                delay = 0.5
                for message in pubsub.listen():
                    self.dispatch(message["channel"].decode(), message["data"])
            except RedisError as exc:
                self.listening.clear()
                log.warning("Event listener lost Redis (%s); retrying in %.1fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10)
