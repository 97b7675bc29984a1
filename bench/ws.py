"""Live updates: publish-to-receipt delay over many open WebSockets, and the web processes' memory.

Run from the repository root:  .venv/bin/python -m bench.ws [--users 50 --sockets-per-user 10]
A separate publisher process sends `--rate` events a second to every user through the app's own
publish(); each event carries its send time (CLOCK_MONOTONIC, shared by all processes here) as the
bell's unread count, so the receiver reads the delay straight out of the HTML fragment it gets.
Prints one JSON document on stdout; progress goes to stderr.
"""

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from bench.common import (
    ROOT,
    Stack,
    connections_by_pid,
    cpu_seconds,
    log,
    machine_busy_seconds,
    memory_mb,
    percentile,
    raise_on_sigterm,
    thread_count,
)
from bench.ws_client import STAMP, expected_messages, now_us, open_sockets, settle

TICK_SECONDS = 0.01
READY_SECONDS = 60
TARGET_P99_MS = 250


# --- the publisher (a child process running inside the app) -----------------------------------


def notify(due: list[int]) -> tuple[int, int]:
    """One bell event to all these users, stamped with its send time; -> (first, last) stamp."""
    from app.realtime.events import publish

    stamp = now_us()
    publish({"type": "notification.count", "unread": stamp}, user_ids=due)
    return stamp, stamp


def run_publisher(user_ids: list[int], rate: float, seconds: float, send=notify) -> int:
    """Send `rate` events a second to each user for `seconds`, spread evenly over each second.

    `send(due_user_ids)` publishes one event to each of them and returns the (first, last)
    stamps it put in."""
    from app import create_app

    app = create_app()
    period = 1.0 / rate
    # Each user gets a fixed offset within the period, so the load is even rather than bursty.
    offsets = [(i / len(user_ids)) * period for i in range(len(user_ids))]
    sent = dict.fromkeys(user_ids, 0)
    with app.app_context():
        print("ready", flush=True)
        sys.stdin.readline()  # wait for "go"
        start = time.monotonic()
        cpu_at_start = time.process_time()
        end = start + seconds
        cycle = 0
        first = last = None
        while time.monotonic() < end:
            cycle_start = start + cycle * period
            for tick in range(max(1, round(period / TICK_SECONDS))):
                tick_end = cycle_start + (tick + 1) * TICK_SECONDS
                due = [
                    uid
                    for uid, off in zip(user_ids, offsets, strict=True)
                    if tick * TICK_SECONDS <= off < (tick + 1) * TICK_SECONDS
                ]
                if due:
                    stamp, last = send(due)
                    first = first or stamp
                    for uid in due:
                        sent[uid] += 1
                pause = tick_end - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            cycle += 1
    outcome = {
        "sent": sent,
        "first_us": first,
        "last_us": last,
        "cpu_s": time.process_time() - cpu_at_start,
    }
    print(json.dumps(outcome), flush=True)
    return 0


class Publisher:
    """The publisher child: started ahead, told to go, and waited for (bounded)."""

    def __init__(self, env, user_ids, rate, seconds, module="bench.ws"):
        cmd = [sys.executable, "-m", module, "--publisher", "--rate", str(rate)]
        cmd += ["--seconds", str(seconds), "--user-ids", ",".join(map(str, user_ids))]
        self.seconds = seconds
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the publisher did not start")

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    async def result(self) -> dict:
        out = await asyncio.to_thread(self.proc.communicate, timeout=self.seconds + 30)
        return json.loads(out[0].strip().splitlines()[-1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def sign_in_all(stack: Stack, usernames: list[str]) -> dict[str, str]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(usernames, pool.map(stack.sign_in, usernames), strict=True))


def user_ids(stack: Stack, usernames: list[str]) -> dict[str, int]:
    """Look up ids the way the app stores them (the bench users were created in order)."""
    script = (
        "import json, sys\n"
        "from sqlalchemy import select\n"
        "from app import create_app\n"
        "from app.extensions import db\n"
        "from app.models import User\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    rows = db.session.execute(select(User.username, User.id)).all()\n"
        "print(json.dumps({name: uid for name, uid in rows}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=stack.env, check=True, capture_output=True
    )
    ids = json.loads(out.stdout)
    return {name: ids[name] for name in usernames}


def server_figures(stack: Stack) -> dict:
    workers = stack.worker_pids()
    spread = connections_by_pid(workers, stack.port)
    figures = {
        "master": {**memory_mb(stack.gunicorn.pid), "threads": thread_count(stack.gunicorn.pid)},
        "workers": [
            {**memory_mb(pid), "threads": thread_count(pid), "sockets": spread.get(pid, 0)}
            for pid in workers
        ],
    }
    everyone = [figures["master"], *figures["workers"]]
    figures["total_rss_mb"] = round(sum(p.get("rss_mb", 0) for p in everyone), 1)
    figures["total_pss_mb"] = round(sum(p.get("pss_mb", 0) for p in everyone), 1)
    return figures


async def run(stack: Stack, args, *, module="bench.ws", stamp=STAMP, window=None) -> dict:
    """Sockets, warm-up, the measured run and its figures.

    `module` is the bench whose `--publisher` sends the events and `stamp` reads their send
    time back; `window`, if given, has begin() and end() -> dict, called as the measured run
    starts and once its backlog is in, and what end() returns joins the figures."""
    usernames = [f"bench{i:04d}" for i in range(args.users)]
    log(f"signing in {len(usernames)} users…")
    cookies = sign_in_all(stack, usernames)
    ids = user_ids(stack, usernames)
    idle = server_figures(stack)

    sockets, failures = await open_sockets(
        stack, cookies, ids, args.sockets_per_user, args.deflate, stamp
    )
    arrivals: list[tuple[int, int]] = []
    readers = [asyncio.create_task(s.receive(arrivals)) for s in sockets if s.open]
    uids = sorted(set(ids.values()))
    try:
        # Warm up until every open socket has heard something (its handler is subscribed).
        log("warming up until every socket hears events…")
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            warm = Publisher(stack.env, uids, min(args.rate, 2), 2, module)
            try:
                warm.go()
                await warm.result()
            finally:
                warm.stop()
            await settle(arrivals, lambda: False)
            if all(s.received for s in sockets if s.open and s.closed_with is None):
                break
        silent = sum(1 for s in sockets if s.open and not s.received)

        log(f"measuring for {args.seconds:g}s at {args.rate:g} events/s per user…")
        arrivals.clear()
        for s in sockets:
            s.received = 0
        publisher = Publisher(stack.env, uids, args.rate, args.seconds, module)
        pids = [stack.gunicorn.pid, *stack.worker_pids()]
        server_cpu, machine = sum(map(cpu_seconds, pids)), machine_busy_seconds()
        own = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        if window:
            window.begin()
        try:
            publisher.go()
            outcome = await publisher.result()
        finally:
            publisher.stop()
        expected = expected_messages(outcome, sockets)
        # Wait for the backlog: every message in, or nothing new for a while (bounded).
        await settle(arrivals, lambda: len(arrivals) >= expected)
        elapsed = time.monotonic() - started
        extra = window.end() if window else {}
        own_after = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = sum(map(cpu_seconds, pids)) - server_cpu
        machine = machine_busy_seconds() - machine
        loaded = server_figures(stack)
        dropped = sum(1 for s in sockets if s.open and s.closed_with)
    finally:
        for sock in sockets:
            sock.close()
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)

    first, last = outcome["first_us"], outcome["last_us"]
    in_window = [(sent, got) for sent, got in arrivals if first <= sent <= last]
    delays = sorted((got - sent) / 1000 for sent, got in in_window)
    drained = (max((got for _, got in in_window), default=last) - last) / 1e6
    publisher_cpu = outcome["cpu_s"]
    client_cpu = (own_after.ru_utime - own.ru_utime) + (own_after.ru_stime - own.ru_stime)
    return {
        "sockets": {
            "asked": len(sockets),
            "open": sum(s.open for s in sockets),
            "failed": failures,
            "silent_after_warmup": silent,
            "closed_during_run": dropped,
        },
        "events_published": sum(outcome["sent"].values()),
        "publishing_seconds": round((last - first) / 1e6, 2),
        "events_per_second_per_user_achieved": round(
            sum(outcome["sent"].values()) / len(uids) / max((last - first) / 1e6, 1e-3), 2
        ),
        "last_message_seconds_after_last_publish": round(drained, 2),
        "messages_expected": expected,
        "messages_received": len(delays),
        "delay_ms": {
            "p50": round(percentile(delays, 50), 1),
            "p90": round(percentile(delays, 90), 1),
            "p99": round(percentile(delays, 99), 1),
            "max": round(delays[-1], 1) if delays else None,
        },
        "cpu_cores": {
            "web": round(server_cpu / elapsed, 2),
            "publisher": round(publisher_cpu / elapsed, 2),
            "load_client": round(client_cpu / elapsed, 2),
            "everything_else": round(
                max(machine - server_cpu - client_cpu - publisher_cpu, 0) / elapsed, 2
            ),
        },
        "web_processes_idle": idle,
        "web_processes_with_sockets": loaded,
        **extra,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--sockets-per-user", type=int, default=10)
    parser.add_argument("--rate", type=float, default=10, help="events a second to each user")
    parser.add_argument("--seconds", type=float, default=20, help="measured time (max 300)")
    parser.add_argument("--workers", type=int, help="MEDIANEST_WEB_WORKERS (default: config)")
    parser.add_argument("--threads", type=int, help="MEDIANEST_WEB_THREADS (default: config)")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false")
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is used")
    parser.add_argument("--redis-url", help="an existing Redis (default: the embedded one)")
    parser.add_argument("--publisher", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--user-ids", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.seconds = max(1.0, min(args.seconds, 300))
    args.rate = max(0.1, min(args.rate, 100))
    if args.publisher:
        return run_publisher([int(u) for u in args.user_ids.split(",")], args.rate, args.seconds)
    raise_on_sigterm()

    from app.config import settings_from_env

    with Stack(
        workers=args.workers,
        threads=args.threads,
        postgres=args.postgres,
        redis=args.redis_url,
        users=args.users,
    ) as stack:
        figures = asyncio.run(run(stack, args))
        settings = settings_from_env(stack.env)
    report = {
        "bench": "ws",
        "users": args.users,
        "sockets_per_user": args.sockets_per_user,
        "events_per_second_per_user": args.rate,
        "seconds": args.seconds,
        "permessage_deflate": args.deflate,
        "shape": {
            "worker_class": "gthread",
            "workers": settings["WEB_WORKERS"],
            "threads": settings["WEB_THREADS"],
        },
        "database": "postgresql" if args.postgres else "sqlite",
        "redis": "external" if args.redis_url else "embedded",
        **figures,
    }
    p99 = figures["delay_ms"]["p99"]
    report["targets"] = {
        "p99_delay_ms_below": TARGET_P99_MS,
        "met": p99 < TARGET_P99_MS
        and figures["sockets"]["open"] == figures["sockets"]["asked"]
        and figures["messages_received"] >= figures["messages_expected"],
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
