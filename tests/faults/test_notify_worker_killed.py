"""A worker killed with SIGKILL while sending: its claim is taken back and the message is sent
once by the next worker."""

import os
import signal
import time
from pathlib import Path

from app.models.notify import SENDING, SENT
from tests.conftest import WorkerProcess, wait_for
from tests.integration import notify_delivery_helpers as helpers
from tests.integration.notify_delivery_helpers import channel, count, rows, sweeping_until, tell

smtp, hook, notify_app = helpers.smtp, helpers.hook, helpers.notify_app


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry.name))
    return found


def test_a_killed_workers_claim_is_taken_back_and_sent_once(notify_app, hook):
    channel(notify_app, f"json://127.0.0.1:{hook.port}/hook")
    # The webhook hangs, then answers 500 to the request nobody waits for any more.
    hook.slow(1.8)
    hook.fail_next(1, status=500)
    first = WorkerProcess(notify_app)
    first.wait_until_registered()
    tell(notify_app, "service.down", "Plex is down")
    wait_for(lambda: count(notify_app, state=SENDING) == 1, interval=0.02)
    time.sleep(0.8)  # the request is on its way: the send timeout (2 s) has not fired yet
    horses = _children(first.process.pid)
    assert horses, "the worker sends from a work horse of its own"
    for horse in horses:
        os.kill(horse, signal.SIGKILL)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    hook.slow(0)
    assert count(notify_app, state=SENDING) == 1 and not hook.posts
    second = WorkerProcess(notify_app)
    second.wait_until_registered()
    try:
        # NOTIFY_TIMEOUT is 2 s here: the claim is stale after 8 s.
        sweeping_until(notify_app, lambda: count(notify_app, state=SENT) == 1, timeout=40)
        sweeping_until(notify_app, lambda: True)
    finally:
        second.stop()
    assert len(hook.posts) == 1 and hook.posts[0].json["title"] == "Plex is down"
    (row,) = rows(notify_app)
    assert row.attempts == 1 and row.claimed_at is None
