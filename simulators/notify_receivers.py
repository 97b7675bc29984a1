"""Loopback receivers for outbound notifications: an SMTP server (aiosmtpd) and an HTTP endpoint
that takes what Apprise's json://, ntfy:// and other webhook schemes post.

Both keep what they received and can be told to fail, to test retries:

    with SmtpReceiver() as smtp, HookReceiver() as hook:
        smtp.fail_next(2, code=451)      # two temporary refusals, then accept
        hook.fail_next(1, status=500)
        ... smtp.messages[0]["To"], hook.posts[0].json
"""

import email
import email.policy
import json
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from werkzeug.wrappers import Request, Response

from simulators.server import SimulatorServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Failures:
    """A count of answers still to fail, shared by the receiving thread and the test."""

    def __init__(self):
        self.lock = threading.Lock()
        self.left, self.code, self.delay = 0, 0, 0.0

    def fail_next(self, times: int, code: int) -> None:
        with self.lock:
            self.left, self.code = times, code

    def take(self) -> int:
        """The code to fail with now, or 0 to accept."""
        with self.lock:
            if self.left <= 0:
                return 0
            self.left -= 1
            return self.code


class _Receiver:
    """What both receivers share: what they got, failing on demand, waiting, starting."""

    received: list
    noun = "messages"

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = _Failures()

    def slow(self, seconds: float) -> None:
        self.failures.delay = seconds

    def wait_for(self, count: int, timeout: float = 20.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} {self.noun}, got {len(self.received)}")

    def __enter__(self):  # start() and stop() are each receiver's own
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


class _SmtpHandler:
    def __init__(self, receiver: "SmtpReceiver"):
        self.receiver = receiver

    async def handle_DATA(self, _server, _session, envelope):
        receiver = self.receiver
        if receiver.failures.delay:
            time.sleep(receiver.failures.delay)  # a slow server: the client's timeout fires
        code = receiver.failures.take()
        if code:
            return f"{code} Try again later" if code < 500 else f"{code} Mailbox unavailable"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with receiver.lock:
            receiver.messages.append(parsed)
            receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpReceiver(_Receiver):
    """A real SMTP server on a loopback port; `messages` are parsed email.message objects."""

    noun = "emails"

    def __init__(self, port: int | None = None):
        super().__init__()
        self.messages: list = []
        self.envelopes: list = []
        self.port = port or free_port()
        self.url = f"smtp://127.0.0.1:{self.port}?tls=none"
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list:
        return self.messages

    def fail_next(self, times: int = 1, code: int = 451) -> None:
        self.failures.fail_next(times, code)

    def start(self) -> "SmtpReceiver":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class Post:
    path: str
    headers: dict
    body: bytes
    json: object = None
    at: float = field(default_factory=time.time)


class HookReceiver(_Receiver):
    """An HTTP endpoint that records every POST (or PUT) and answers 200, or what it is told."""

    noun = "posts"

    def __init__(self):
        super().__init__()
        self.posts: list[Post] = []
        self._server = SimulatorServer(self._app)
        self.port, self.url = self._server.port, self._server.url

    @property
    def received(self) -> list:
        return self.posts

    def _app(self, environ, start_response):
        request = Request(environ)
        if request.method not in ("POST", "PUT"):
            return Response("method not allowed", status=405)(environ, start_response)
        if self.failures.delay:
            time.sleep(self.failures.delay)
        status = self.failures.take()
        if status:
            return Response("failing as told", status=status)(environ, start_response)
        body = request.get_data()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        with self.lock:
            self.posts.append(Post(request.path, dict(request.headers), body, parsed))
        return Response('{"ok": true}', mimetype="application/json")(environ, start_response)

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        self.failures.fail_next(times, status)

    def start(self) -> "HookReceiver":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
