"""Run app/integrations/ytdlp_child.py in a process group of its own and read its lines.

The group holds yt-dlp and every ffmpeg it starts, so ending the group ends them all: on a
cancel, on a timeout, when the caller's thread is interrupted, and after a normal finish (an
ffmpeg left behind by a crash must not outlive its download). The child is run by its path rather
than with ``-m app.integrations.ytdlp_child``: that would import the app package first, half a
second of start-up for every preview, and the child needs nothing from it.
"""

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CHILD = Path(__file__).resolve().with_name("ytdlp_child.py")
POLL_SECONDS = 0.2  # how often a cancel is looked at while the child is quiet
TERM_GRACE = 2.0  # seconds between SIGTERM and SIGKILL


class ChildFailed(Exception):
    """The child reported an error line ({type, message, errno}), or died without a word."""

    def __init__(self, line: dict):
        super().__init__(line.get("message", ""))
        self.line = line


class Stopped(Exception):
    """The run was ended from here: reason is "cancelled" or "timeout"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def run_child(
    request: dict,
    *,
    timeout: float,
    on_progress: Callable[[dict], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> dict:
    """Send the request, relay progress lines, return the result's data (or raise)."""
    stderr = tempfile.TemporaryFile()
    child = subprocess.Popen(
        [sys.executable, str(CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    try:
        child.stdin.write(json.dumps({**request, "parent": os.getpid()}).encode())
        child.stdin.close()
        outcome = _read(child, time.monotonic() + timeout, on_progress, should_cancel)
        end_group(child)
        if outcome is None or outcome.get("event") != "result":
            raise ChildFailed(outcome or _silent(child, stderr))
    finally:
        end_group(child)
        stderr.close()
    return outcome.get("data") or {}


def _read(child, deadline: float, on_progress, should_cancel) -> dict | None:
    """Lines until the child closes its output; the last result or error line."""
    fd, pending, outcome = child.stdout.fileno(), b"", None
    while True:
        if should_cancel is not None and should_cancel():
            raise Stopped("cancelled")
        if time.monotonic() > deadline:
            raise Stopped("timeout")
        ready, _, _ = select.select([fd], [], [], POLL_SECONDS)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return outcome
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = json.loads(raw) if raw.strip() else {}
            if line.get("event") == "progress" and on_progress is not None:
                on_progress({k: v for k, v in line.items() if k != "event"})
            elif line.get("event") in ("result", "error"):
                outcome = line


def _silent(child, stderr) -> dict:
    """What a child that ended without a line left: its exit status and last words."""
    stderr.seek(max(stderr.seek(0, os.SEEK_END) - 1500, 0))
    said = stderr.read().decode("utf-8", "replace").strip()
    message = f"yt-dlp's process ended (exit status {child.returncode}): {said}"
    return {"type": "Died", "message": message}


def end_group(child: subprocess.Popen) -> None:
    """SIGTERM the child's process group, SIGKILL it after a grace period, reap the child."""
    if child.returncode is not None:
        return
    if child.poll() is None:
        _signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=TERM_GRACE)
        except subprocess.TimeoutExpired:
            pass
    # Whatever is left of the group (an ffmpeg whose parent is gone) goes too.
    _signal_group(child.pid, signal.SIGKILL)
    child.wait()
    if child.stdout is not None:
        child.stdout.close()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
