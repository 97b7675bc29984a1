"""One Redis subscription per web process, handing events to that process's sockets."""

import atexit
import json
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError

from app.realtime import heartbeat
from app.realtime.events import EVERYONE, PREFIX

log = logging.getLogger(__name__)

SOCKET_BACKLOG = 1000  # events one slow socket may fall behind before newer ones are dropped


class Message:
    """One published event as this process's sockets get it: parsed once, rendered once per person.

    A user channel's event goes to every open tab of that person; rendering it per socket made
    the fan-out cost grow with the tabs. Renderers see the event and the signed-in person only.
    """

    __slots__ = ("data", "_event", "_html")

    def __init__(self, data: bytes):
        self.data = data
        self._event: dict | None = None
        self._html: dict[int, str | None] = {}

    @property
    def event(self) -> dict:
        if self._event is None:
            self._event = json.loads(self.data)
        return self._event

    def html_for(self, user_id: int, render) -> str | None:
        """The fragment for this person, rendered by the first of their sockets to ask."""
        if user_id not in self._html:
            # Two sockets may race here; both render the same HTML, so either result is fine.
            self._html[user_id] = render(self.event)
        return self._html[user_id]


class Hub:
    def __init__(self, redis_url: str):
        self.redis_url = redis_url
        self._lock = threading.Lock()
        self._queues: dict[str, set[queue.Queue]] = defaultdict(set)
        # Called once per event this process hears, before its sockets get it (to drop a cache).
        self._watchers: dict[str, list[Callable[[dict], None]]] = defaultdict(list)
        self._watched: set[str] = set()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        self._exiting = threading.Event()
        # At interpreter exit the listener must not log about a Redis that is going away too.
        atexit.register(self._exiting.set)

    def subscribe(self, channels) -> queue.Queue:
        """Register a socket's queue for these channels and make sure the listener runs."""
        inbox: queue.Queue = queue.Queue(maxsize=SOCKET_BACKLOG)
        with self._lock:
            for channel in channels:
                self._queues[channel].add(inbox)
            self._start()
        return inbox

    def watch(self, event_type: str, func: Callable[[dict], None], channel=EVERYONE) -> None:
        """Call func with every event of this type on this channel, sockets or not."""
        with self._lock:
            self._watchers[event_type].append(func)
            self._watched.add(channel)
            self._start()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._listen, name="hub", daemon=True)
            self._thread.start()

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
        watched = channel in self._watched
        if not inboxes and not watched:
            return  # most events are for someone with no tab open here: not even parsed
        message = Message(data)
        if watched:
            self._notify(message)
        for inbox in inboxes:
            try:
                inbox.put_nowait(message)
            except queue.Full:
                log.warning("A socket on %s is too slow; dropping an event", channel)

    def _notify(self, message: Message) -> None:
        try:
            event = message.event
            watchers = list(self._watchers.get(event.get("type", ""), ()))
        except (ValueError, AttributeError):
            return  # not an event: the sockets skip it too
        for func in watchers:
            try:
                func(event)
            except Exception:  # one watcher's fault must not stop the fan-out
                log.exception("A watcher of %s failed", event.get("type"))

    def _listen(self) -> None:
        delay = 0.5
        while not self._exiting.is_set():
            try:
                client = Redis.from_url(self.redis_url, health_check_interval=30)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PREFIX + "*")
                self.listening.set()
                delay, beat_at = 0.5, 0.0
                while not self._exiting.is_set():
                    if time.monotonic() >= beat_at:  # this process is alive (Status, "web")
                        heartbeat.beat(client)
                        beat_at = time.monotonic() + heartbeat.EVERY
                    message = pubsub.get_message(timeout=heartbeat.EVERY / 4)
                    if message is not None:
                        self.dispatch(message["channel"].decode(), message["data"])
            except RedisError as exc:
                self.listening.clear()
                if self._exiting.is_set():
                    return
                log.warning("Event listener lost Redis (%s); retrying in %.1fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10)
