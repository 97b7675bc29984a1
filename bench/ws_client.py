"""The load client of bench.ws: many WebSockets that record when each stamped event arrives."""

import asyncio
import re
import time

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate

from bench.common import HOST, USER_AGENT, log

STAMP = re.compile(r"Notifications: (\d+) unread")
HANDSHAKE_SECONDS = 15
CONNECT_AT_ONCE = 25
DRAIN_SECONDS = 120


def now_us() -> int:
    return time.monotonic_ns() // 1000


# --- the receiving side: one asyncio task per socket ---------------------------------------------


class Socket:
    def __init__(self, user_id: int, cookie: str, stamp: re.Pattern = STAMP):
        self.user_id = user_id
        self.stamp = stamp  # reads the send time back out of a pushed fragment
        self.cookie = cookie
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.writer: asyncio.StreamWriter | None = None
        self.open = False
        self.received = 0
        self.closed_with: str | None = None

    async def connect(self, port: int, deflate: bool) -> None:
        reader, self.writer = await asyncio.open_connection(HOST, port)
        request = Request(
            host=f"{HOST}:{port}",
            target="/ws",
            extra_headers=[
                (b"cookie", self.cookie.encode()),
                (b"user-agent", USER_AGENT.encode()),
                (b"origin", f"http://{HOST}:{port}".encode()),
            ],
            # Browsers offer compression, and the server accepts it: cost it as they would.
            extensions=[PerMessageDeflate()] if deflate else [],
        )
        self.writer.write(self.ws.send(request))
        while not self.open:
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("closed during the handshake")
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    self.open = True
                elif isinstance(event, RejectConnection):
                    raise ConnectionError(f"handshake rejected ({event.status_code})")
        self.reader = reader

    async def receive(self, arrivals: list) -> None:
        """Record (send time, arrival time) of every stamped message until the socket closes."""
        text: list[str] = []
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    self.closed_with = self.closed_with or "eof"
                    return
                arrived = now_us()
                self.ws.receive_data(data)
                for event in self.ws.events():
                    if isinstance(event, TextMessage):
                        text.append(event.data)
                        if not event.message_finished:
                            continue
                        match = self.stamp.search("".join(text))
                        text.clear()
                        if match:
                            self.received += 1
                            arrivals.append((int(match[1]), arrived))
                    elif isinstance(event, Ping):
                        self.writer.write(self.ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        self.closed_with = f"close {event.code}"
                        return
        except (OSError, asyncio.CancelledError):
            self.closed_with = self.closed_with or "error"

    def close(self) -> None:
        if self.writer is None:
            return
        if self.open and self.closed_with is None:
            try:
                self.writer.write(self.ws.send(CloseConnection(code=1000)))
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        self.writer.close()


async def open_sockets(
    stack, cookies, ids, per_user, deflate, stamp: re.Pattern = STAMP
) -> tuple[list[Socket], dict]:
    sockets = [
        Socket(ids[name], cookie, stamp)
        for name, cookie in cookies.items()
        for _ in range(per_user)
    ]
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    failures: dict[str, int] = {}

    async def connect(sock: Socket):
        async with gate:
            try:
                await asyncio.wait_for(sock.connect(stack.port, deflate), HANDSHAKE_SECONDS)
            except (OSError, ConnectionError, TimeoutError) as exc:
                key = f"{type(exc).__name__}: {exc}"[:80]
                failures[key] = failures.get(key, 0) + 1

    started = time.monotonic()
    await asyncio.gather(*(connect(s) for s in sockets))
    took = time.monotonic() - started
    log(f"{sum(s.open for s in sockets)}/{len(sockets)} sockets open in {took:.1f}s")
    return sockets, failures


def expected_messages(outcome: dict, sockets: list[Socket]) -> int:
    """Each event reaches every open socket of its user."""
    open_per_user: dict[int, int] = {}
    for s in sockets:
        if s.open:
            open_per_user[s.user_id] = open_per_user.get(s.user_id, 0) + 1
    return sum(n * open_per_user.get(int(uid), 0) for uid, n in outcome["sent"].items())


async def settle(arrivals: list, done, quiet_seconds: float = 2.0) -> None:
    """Return once `done()`, or when nothing arrived for `quiet_seconds`; bounded."""
    deadline = time.monotonic() + DRAIN_SECONDS
    seen, last_change = len(arrivals), time.monotonic()
    while time.monotonic() < deadline and not done():
        await asyncio.sleep(0.1)
        if len(arrivals) != seen:
            seen, last_change = len(arrivals), time.monotonic()
        elif time.monotonic() - last_change >= quiet_seconds:
            return
