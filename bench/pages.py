"""Page throughput: GET /health and the signed-in dashboard (GET /) at 50 concurrent clients.

Run from the repository root:  .venv/bin/python -m bench.pages [--seconds 10] [--clients 50]
The dashboard has every card: its database is seeded first (bench/dashboard_seed.py) with Plex,
Overseerr, Uptime Kuma and 20 monitors, MediaNest and 30 days of their health samples; after the
50-client rounds, one client measures both endpoints again (p95 target: under 50 ms).
With --library N, a simulated Plex library of N movies is synced into the catalog first and the
library's poster grid and item pages are measured instead (signed in as a user).
Prints one JSON document on stdout; progress goes to stderr.
"""

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import quote

from app.config import settings_from_env
from bench.common import (
    HOST,
    ROOT,
    USER_AGENT,
    Stack,
    connections_by_pid,
    cpu_seconds,
    log,
    machine_busy_seconds,
    memory_mb,
    percentile,
    raise_on_sigterm,
)
from simulators.plex_words import GENRES

MAX_REQUESTS_PER_PHASE = 500_000
READ_TIMEOUT = 10
TARGET_SHARE = 0.40
TARGET_P99_MS = 100
TARGET_LIBRARY_P95_MS = 50
TARGET_ONE_CLIENT_P95_MS = 50


class DashboardStack(Stack):
    """The stack with the dashboard's cards and 30 days of health history, seeded first."""

    def _start_gunicorn(self) -> None:
        log("seeding 24 services' states and 30 days of health samples…")
        command = [sys.executable, "-m", "bench.dashboard_seed", self.owner]
        subprocess.run(command, cwd=ROOT, env=self.env, check=True)
        super()._start_gunicorn()


class BadResponse(Exception):
    pass


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns (status, whether the server keeps the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        raise BadResponse("response without a length")
    return status, headers.get("connection") != "close"


async def client(port, raw_requests, deadline, budget, latencies, errors) -> None:
    """One keep-alive connection sending requests back to back until the deadline."""
    reader = writer = None
    turn = random.randrange(len(raw_requests))
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            started = time.perf_counter()
            writer.write(raw_requests[turn % len(raw_requests)])
            turn += 1
            try:
                status, keep = await asyncio.wait_for(read_response(reader), READ_TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, BadResponse) as exc:
                errors[type(exc).__name__] += 1
                writer.close()
                writer = None
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[f"HTTP {status}"] += 1
            if not keep:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


def raw_request(port: int, target: str, cookie) -> bytes:
    """A GET; a target of "htmx:<path>" is sent as htmx sends it (a fragment is answered)."""
    htmx = target.startswith("htmx:")
    path = target.removeprefix("htmx:")
    headers = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", f"User-Agent: {USER_AGENT}"]
    if htmx:
        headers.append("HX-Request: true")
    if cookie:
        headers.append(f"Cookie: {cookie}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode()


async def phase(port, paths, cookie, clients: int, seconds: float, probe) -> dict:
    """Keep `clients` connections busy on the paths for `seconds`; raw latencies and counts."""
    # A list of cookies is one signed-in session per client, as many people would be.
    cookies = cookie if isinstance(cookie, list) else [cookie]
    raw_sets = [[raw_request(port, path, one) for path in paths] for one in cookies]
    latencies: list[float] = []
    errors: Counter = Counter()
    budget = [MAX_REQUESTS_PER_PHASE]
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    probed = asyncio.create_task(asyncio.sleep(min(1.0, seconds / 2)))
    probed.add_done_callback(lambda task: setattr(task, "probed", probe()))
    await asyncio.gather(
        *(
            client(port, raw_sets[i % len(raw_sets)], deadline, budget, latencies, errors)
            for i in range(clients)
        )
    )
    await probed
    return {
        "latencies": latencies,
        "errors": errors,
        "elapsed": time.perf_counter() - started,
        "connections_per_worker": sorted(probed.probed.values(), reverse=True),
    }


class Tally:
    """One endpoint's figures summed over the rounds."""

    def __init__(self):
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.elapsed = self.server_cpu = self.client_cpu = self.machine_cpu = 0.0
        self.spread: list[list[int]] = []

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        elapsed = self.elapsed or 1
        other = self.machine_cpu - self.server_cpu - self.client_cpu
        return {
            "requests": len(lat),
            "seconds": round(self.elapsed, 2),
            "rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(percentile(lat, 50) * 1000, 1),
            "p90_ms": round(percentile(lat, 90) * 1000, 1),
            "p95_ms": round(percentile(lat, 95) * 1000, 1),
            "p99_ms": round(percentile(lat, 99) * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            "errors": dict(self.errors),
            "server_cpu_cores": round(self.server_cpu / elapsed, 2),
            "server_cpu_ms_per_request": round(self.server_cpu * 1000 / max(len(lat), 1), 2),
            "load_client_cpu_cores": round(self.client_cpu / elapsed, 2),
            "other_processes_cpu_cores": round(max(other, 0) / elapsed, 2),
            "connections_per_worker": self.spread,
        }


def measure(stack: Stack, paths, cookie, clients: int, seconds: float, tally: Tally) -> None:
    pids = [stack.gunicorn.pid, *stack.worker_pids()]
    workers = pids[1:]

    def probe():
        return connections_by_pid(workers, stack.port)

    def own_cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    server, client_cpu, machine = sum(map(cpu_seconds, pids)), own_cpu(), machine_busy_seconds()
    result = asyncio.run(phase(stack.port, paths, cookie, clients, seconds, probe))
    tally.server_cpu += sum(map(cpu_seconds, pids)) - server
    tally.client_cpu += own_cpu() - client_cpu
    tally.machine_cpu += machine_busy_seconds() - machine
    tally.latencies += result["latencies"]
    tally.errors.update(result["errors"])
    tally.elapsed += result["elapsed"]
    tally.spread.append(result["connections_per_worker"])


def library_paths(section: str, rating_keys: list[int]) -> dict[str, list[str]]:
    """What people do in a library: grids in every sort, filtered, scrolled; item pages."""
    grid = f"/library/{section}"
    views = ["", "?sort=year", "?sort=added", "?sort=rating", "?order=desc", "?sort=year&order=asc"]
    views += [f"?genre={quote(genre)}" for genre in GENRES[:6]]
    views += ["?year_from=1990&year_to=1999", "?resolution=1080&sort=added"]
    grids = [grid + view for view in views]
    grids += [f"htmx:{grid}?page={page}" for page in range(2, 6)]
    return {"grid": grids, "item": [f"/library/item/{key}" for key in rating_keys]}


def run_rounds(stack: Stack, endpoints: dict, args) -> dict:
    """Warm each endpoint up, then measure them in alternating rounds; a summary per endpoint."""
    seconds, rounds = min(args.seconds, 60), max(1, min(args.rounds, 20))
    for name, (paths, cookie) in endpoints.items():
        log(f"warming up {name}…")
        measure(stack, paths, cookie, args.clients, min(args.warmup, 30), Tally())
    # Alternating rounds: whatever else the machine does then weighs on both alike.
    tallies = {name: Tally() for name in endpoints}
    for round_no in range(1, rounds + 1):
        for name, (paths, cookie) in endpoints.items():
            log(f"round {round_no}/{rounds}: {name} for {seconds:g}s, {args.clients} clients…")
            measure(stack, paths, cookie, args.clients, seconds, tallies[name])
    return {name: tally.summary() for name, tally in tallies.items()}


def check_page(stack: Stack, path: str, cookie: str, expect: bytes) -> None:
    status, _, body = stack.request("GET", path, headers={"Cookie": cookie})
    if status != 200 or expect not in body:
        raise RuntimeError(f"{path} did not render ({status})")


def dashboard_report(stack: Stack, args) -> dict:
    log(f"signing in {args.clients} sessions…")
    cookies = [stack.browse("/", stack.sign_in(stack.owner)) for _ in range(args.clients)]
    check_page(stack, "/", cookies[0], b'id="service-kuma-20"')
    endpoints = {"/health": (["/health"], None), "/": (["/"], cookies)}
    results = run_rounds(stack, endpoints, args)
    share = results["/"]["rps"] / results["/health"]["rps"] if results["/health"]["rps"] else 0
    alone = run_rounds(stack, endpoints, argparse.Namespace(**{**vars(args), "clients": 1}))
    return {
        "health": results["/health"],
        "dashboard": results["/"],
        "dashboard_share_of_health_rps": round(share, 2),
        "one_client": {"health": alone["/health"], "dashboard": alone["/"]},
        "targets": {
            "dashboard_share_at_least": TARGET_SHARE,
            "one_client_dashboard_p95_ms_below": TARGET_ONE_CLIENT_P95_MS,
            "met": share >= TARGET_SHARE and alone["/"]["p95_ms"] < TARGET_ONE_CLIENT_P95_MS,
        },
    }


def library_report(stack: Stack, args) -> dict:
    cookie = stack.sign_in("bench0000")  # a person, not an admin: hidden libraries filtered
    paths = library_paths(stack.catalog["section"], stack.catalog["rating_keys"])
    for path in paths["grid"][:1] + paths["item"][:1]:
        check_page(stack, path, cookie, b"poster")
    results = run_rounds(stack, {name: (p, cookie) for name, p in paths.items()}, args)
    return {
        "catalog_items": stack.catalog["items"],
        **results,
        "targets": {
            "p95_ms_below": TARGET_LIBRARY_P95_MS,
            "met": all(r["p95_ms"] < TARGET_LIBRARY_P95_MS for r in results.values()),
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, help="concurrent clients (50; 5 with --library)")
    parser.add_argument("--seconds", type=float, default=5, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (max 20)")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--workers", type=int, help="MEDIANEST_WEB_WORKERS (default: config)")
    parser.add_argument("--threads", type=int, help="MEDIANEST_WEB_THREADS (default: config)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is used")
    parser.add_argument("--redis-url", help="an existing Redis (default: the embedded one)")
    parser.add_argument("--library", type=int, default=0, help="measure the library pages")
    args = parser.parse_args(argv)
    # A few people browsing a library at once, against everyone's dashboards polling.
    args.clients = args.clients or (5 if args.library else 50)
    raise_on_sigterm()

    with (Stack if args.library else DashboardStack)(
        workers=args.workers,
        threads=args.threads,
        postgres=args.postgres,
        redis=args.redis_url,
        users=1 if args.library else 0,
        plex_items=args.library,
    ) as stack:
        figures = library_report(stack, args) if args.library else dashboard_report(stack, args)
        memory = {str(pid): memory_mb(pid) for pid in [stack.gunicorn.pid, *stack.worker_pids()]}
        settings = settings_from_env(stack.env)

    report = {
        "bench": "library pages" if args.library else "pages",
        "clients": args.clients,
        "rounds": max(1, min(args.rounds, 20)),
        "seconds_per_round": min(args.seconds, 60),
        "shape": {
            "worker_class": "gthread",
            "workers": settings["WEB_WORKERS"],
            "threads": settings["WEB_THREADS"],
        },
        "database": "postgresql" if args.postgres else "sqlite",
        "redis": "external" if args.redis_url else "embedded",
        **figures,
        "memory_mb_by_pid": memory,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
