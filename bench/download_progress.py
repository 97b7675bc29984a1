"""Live progress bars while real downloads run: publish-to-receipt delay on the shipped shape.

Run from the repository root:  .venv/bin/python -m bench.download_progress [--users 200]
Each of `--users` people opens one WebSocket and watches their own download's progress bar; a
separate publisher process sends `--rate` download.progress events a second to each, as the
download job's Reporter does (their own channel and the admins'). The event's item_id is its
send time (CLOCK_MONOTONIC microseconds), which the receiver reads back from the bar's id.
Meanwhile a downloads process fetches a ~200 MB MP4 from the loopback video site with
ytdlp.fetch (real yt-dlp and ffmpeg), `--parallel` downloads side by side, over and over.
Prints one JSON document on stdout; progress goes to stderr.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import ws
from bench.common import ROOT, Stack, children_of, log, raise_on_sigterm
from bench.ws_client import now_us

TARGET_P99_MS = 500
STAMP = re.compile(r'id="dl-item-(\d+)-progress"')
VIDEO = "vs000000001"
READY_SECONDS = 120


# --- the publisher: events shaped as the Reporter sends them ------------------------------------


def progress_event(download_id: int, stamp: int) -> dict:
    """A running download's progress, its item id the send time."""
    pct = round((stamp / 20_000) % 1000 / 10, 1)  # climbs 5 % a second, then starts again
    return {
        "type": "download.progress",
        "download_id": download_id,
        "item_id": stamp,
        "pct": pct,
        "download_pct": pct,
        "speed": 12_500_000.0,
        "eta": round((100 - pct) / 5),
        "phase": "downloading",
        "status": "running",
    }


def send_progress(due: list[int]) -> tuple[int, int]:
    """One event per person, each published on its own as one download's Reporter does."""
    from app.realtime.events import publish

    first = last = 0
    for user_id in due:
        last = now_us()
        first = first or last
        publish(progress_event(user_id, last), user_ids=[user_id], admins=True)
    return first, last


# --- the downloads process: real fetches in a loop, counted -------------------------------------


class Loop(threading.Thread):
    """Fetch the video again and again until stopped; counts finished fetches and bytes."""

    def __init__(self, url: str, guard, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.guard, self.stop = url, guard, stop
        self.completed = self.done_bytes = self.current = 0
        self.started = threading.Event()

    def on_progress(self, event: dict) -> None:
        self.current = max(self.current, event.get("downloaded") or 0)
        self.started.set()

    def run(self) -> None:
        from app.integrations import ytdlp

        while not self.stop.is_set():
            with tempfile.TemporaryDirectory(prefix="medianest-bench-") as work:
                spec = ytdlp.FetchSpec(
                    self.url, VIDEO, "best", f"{work}/staging", f"{work}/out.mp4", self.guard
                )
                try:
                    ytdlp.fetch(spec, self.on_progress, self.stop.is_set)
                    self.completed += 1
                except ytdlp.FetchError as exc:
                    if exc.code != ytdlp.CANCELLED:
                        log(f"a download failed: {exc.code}: {exc}")
                        self.stop.wait(1)
                finally:
                    # What arrived counts, whether or not the fetch finished.
                    self.done_bytes, self.current = self.done_bytes + self.current, 0

    def bytes(self) -> int:
        return self.done_bytes + self.current


def run_downloads(parallel: int, video_seconds: float, throttle: int) -> int:
    """Serve the big video, keep `parallel` fetches going; answer "mark" lines with counts."""
    import logging

    from app.integrations import ytdlp
    from bench.download_speed import big_spec
    from simulators.server import SimulatorServer
    from simulators.video_source import VideoSourceState, create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    state = VideoSourceState(spec=big_spec(video_seconds)).prepare()
    state.switch(throttle=throttle)
    stop = threading.Event()
    with SimulatorServer(create_app(state)) as server:
        guard = ytdlp.Guard(allowed_hosts=(f"127.0.0.1:{server.port}",))
        loops = [Loop(f"{server.url}/watch/{VIDEO}", guard, stop) for _ in range(parallel)]
        for loop in loops:
            loop.start()
        for loop in loops:
            loop.started.wait(READY_SECONDS)
        print(json.dumps({"file_bytes": state.media[0].size}), flush=True)
        for line in sys.stdin:  # "mark" asks for the counts; anything else, or EOF, stops
            if line.strip() != "mark":
                break
            counts = {"completed": sum(lp.completed for lp in loops)}
            counts["bytes"] = sum(lp.bytes() for lp in loops)
            print(json.dumps(counts), flush=True)
        stop.set()
        for loop in loops:
            loop.join(timeout=30)
    return 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU used by a process and all its descendants, the ended ones included."""
    total, pending = 0.0, [pid]
    while pending:
        node = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{node}/stat").read_text().rpartition(")")[2].split()
            total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        pending += children_of(node)
    return total


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class Downloads:
    """The downloads child, and the measured window's figures of it (ws.run's `window`)."""

    def __init__(self, env, args):
        cmd = [sys.executable, "-m", "bench.download_progress", "--downloader"]
        cmd += ["--parallel", str(args.parallel), "--video-seconds", str(args.video_seconds)]
        cmd += ["--throttle", str(args.throttle)]
        self.parallel, self.throttle = args.parallel, args.throttle
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        ready = self.proc.stdout.readline()
        if not ready:
            raise RuntimeError("the downloads did not start")
        self.file_bytes = json.loads(ready)["file_bytes"]
        self.before: tuple = ()

    def mark(self) -> tuple[float, float, dict]:
        self.proc.stdin.write("mark\n")
        self.proc.stdin.flush()
        counts = json.loads(self.proc.stdout.readline())
        return time.monotonic(), tree_cpu_seconds(self.proc.pid), counts

    def begin(self) -> None:
        self.load_at_start = uptime()
        self.before = self.mark()

    def end(self) -> dict:
        (t0, cpu0, c0), (t1, cpu1, c1) = self.before, self.mark()
        elapsed = max(t1 - t0, 1e-3)
        rate = (c1["bytes"] - c0["bytes"]) / elapsed
        return {
            "downloads": {
                "parallel": self.parallel,
                "file_mb": round(self.file_bytes / 1e6, 1),
                "throttle_bytes_per_second": self.throttle or None,
                "completed_in_window": c1["completed"] - c0["completed"],
                "mb_per_second": round(rate / 1e6, 1),
                "cpu_cores": round((cpu1 - cpu0) / elapsed, 2),
                "window_seconds": round(elapsed, 2),
            },
            "uptime_at_window_start": self.load_at_start,
        }

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.stdin.write("stop\n")
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def report(args, figures: dict, load_before: str) -> dict:
    cores = figures["cpu_cores"]
    cores["downloads"] = figures["downloads"].pop("cpu_cores")
    # ws.run counts the downloads in everything_else; take them out of it.
    cores["everything_else"] = round(max(cores["everything_else"] - cores["downloads"], 0), 2)
    p99 = figures["delay_ms"]["p99"]
    return {
        "bench": "download_progress",
        "users": args.users,
        "sockets_per_user": 1,
        "events_per_second_per_user": args.rate,
        "seconds": args.seconds,
        **figures,
        "uptime_before": load_before,
        "uptime_after": uptime(),
        "targets": {
            "p99_delay_ms_below": TARGET_P99_MS,
            "met": p99 < TARGET_P99_MS
            and figures["sockets"]["open"] == figures["sockets"]["asked"]
            and figures["messages_received"] >= figures["messages_expected"],
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2, help="events a second to each user")
    parser.add_argument("--seconds", type=float, default=25, help="measured time (max 300)")
    parser.add_argument("--parallel", type=int, default=2, help="downloads side by side")
    parser.add_argument("--video-seconds", type=float, default=55.0, help="55 s: ~200 MB")
    parser.add_argument("--throttle", type=int, default=0, help="bytes/s per download; 0: all")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false")
    parser.add_argument("--publisher", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--downloader", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--user-ids", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.seconds = max(1.0, min(args.seconds, 300))
    args.rate = max(0.1, min(args.rate, 100))
    args.sockets_per_user = 1
    if args.publisher:
        user_ids = [int(u) for u in args.user_ids.split(",")]
        return ws.run_publisher(user_ids, args.rate, args.seconds, send_progress)
    if args.downloader:
        return run_downloads(max(1, args.parallel), args.video_seconds, max(0, args.throttle))
    raise_on_sigterm()

    from app.config import settings_from_env

    load_before = uptime()
    with Stack(users=args.users) as stack:
        log(f"starting {args.parallel} downloads side by side…")
        downloads = Downloads(stack.env, args)
        stack.callback(downloads.stop)
        figures = asyncio.run(
            ws.run(stack, args, module="bench.download_progress", stamp=STAMP, window=downloads)
        )
        settings = settings_from_env(stack.env)
    figures["shape"] = {
        "worker_class": "gthread",
        "workers": settings["WEB_WORKERS"],
        "threads": settings["WEB_THREADS"],
    }
    print(json.dumps(report(args, figures, load_before), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
