"""Page throughput: GET /health and the signed-in dashboard (GET /) at 50 concurrent clients.

Run from the repository root:  .venv/bin/python -m bench.pages [--seconds 10] [--clients 50]
Prints one JSON document on stdout; progress goes to stderr.
"""

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import Counter

from app.config import settings_from_env
from bench.common import (
    HOST,
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

MAX_REQUESTS_PER_PHASE = 500_000
READ_TIMEOUT = 10
TARGET_SHARE = 0.40
TARGET_P99_MS = 100


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


async def client(port, raw_request, deadline, budget, latencies, errors) -> None:
    """One keep-alive connection sending requests back to back until the deadline."""
    reader = writer = None
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            started = time.perf_counter()
            writer.write(raw_request)
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


async def phase(port, path, cookie, clients: int, seconds: float, probe) -> dict:
    """Keep `clients` connections busy on one path for `seconds`; raw latencies and counts."""
    headers = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", f"User-Agent: {USER_AGENT}"]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    raw_request = ("\r\n".join(headers) + "\r\n\r\n").encode()
    latencies: list[float] = []
    errors: Counter = Counter()
    budget = [MAX_REQUESTS_PER_PHASE]
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    probed = asyncio.create_task(asyncio.sleep(min(1.0, seconds / 2)))
    probed.add_done_callback(lambda task: setattr(task, "probed", probe()))
    await asyncio.gather(
        *(client(port, raw_request, deadline, budget, latencies, errors) for _ in range(clients))
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
            "p99_ms": round(percentile(lat, 99) * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            "errors": dict(self.errors),
            "server_cpu_cores": round(self.server_cpu / elapsed, 2),
            "server_cpu_ms_per_request": round(self.server_cpu * 1000 / max(len(lat), 1), 2),
            "load_client_cpu_cores": round(self.client_cpu / elapsed, 2),
            "other_processes_cpu_cores": round(max(other, 0) / elapsed, 2),
            "connections_per_worker": self.spread,
        }


def measure(stack: Stack, path: str, cookie, clients: int, seconds: float, tally: Tally) -> None:
    pids = [stack.gunicorn.pid, *stack.worker_pids()]
    workers = pids[1:]

    def probe():
        return connections_by_pid(workers, stack.port)

    def own_cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    server, client_cpu, machine = sum(map(cpu_seconds, pids)), own_cpu(), machine_busy_seconds()
    result = asyncio.run(phase(stack.port, path, cookie, clients, seconds, probe))
    tally.server_cpu += sum(map(cpu_seconds, pids)) - server
    tally.client_cpu += own_cpu() - client_cpu
    tally.machine_cpu += machine_busy_seconds() - machine
    tally.latencies += result["latencies"]
    tally.errors.update(result["errors"])
    tally.elapsed += result["elapsed"]
    tally.spread.append(result["connections_per_worker"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (max 20)")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--workers", type=int, help="MEDIANEST_WEB_WORKERS (default: config)")
    parser.add_argument("--threads", type=int, help="MEDIANEST_WEB_THREADS (default: config)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is used")
    parser.add_argument("--redis-url", help="an existing Redis (default: the embedded one)")
    args = parser.parse_args(argv)
    seconds, rounds = min(args.seconds, 60), max(1, min(args.rounds, 20))
    raise_on_sigterm()

    with Stack(
        workers=args.workers, threads=args.threads, postgres=args.postgres, redis=args.redis_url
    ) as stack:
        cookie = stack.sign_in(stack.owner)
        status, _, body = stack.request("GET", "/", headers={"Cookie": cookie})
        if status != 200 or b"Dashboard" not in body:
            raise RuntimeError(f"the signed-in dashboard did not render ({status})")
        endpoints = {"/health": None, "/": cookie}
        for path, cookie_for in endpoints.items():
            log(f"warming up {path}…")
            measure(stack, path, cookie_for, args.clients, min(args.warmup, 30), Tally())
        # Alternating rounds: whatever else the machine does then weighs on both alike.
        tallies = {path: Tally() for path in endpoints}
        for round_no in range(1, rounds + 1):
            for path, cookie_for in endpoints.items():
                log(f"round {round_no}/{rounds}: {path} for {seconds:g}s, {args.clients} clients…")
                measure(stack, path, cookie_for, args.clients, seconds, tallies[path])
        results = {path: tally.summary() for path, tally in tallies.items()}
        memory = {str(pid): memory_mb(pid) for pid in [stack.gunicorn.pid, *stack.worker_pids()]}
        settings = settings_from_env(stack.env)

    share = results["/"]["rps"] / results["/health"]["rps"] if results["/health"]["rps"] else 0
    report = {
        "bench": "pages",
        "clients": args.clients,
        "rounds": rounds,
        "seconds_per_round": seconds,
        "shape": {
            "worker_class": "gthread",
            "workers": settings["WEB_WORKERS"],
            "threads": settings["WEB_THREADS"],
        },
        "database": "postgresql" if args.postgres else "sqlite",
        "redis": "external" if args.redis_url else "embedded",
        "health": results["/health"],
        "dashboard": results["/"],
        "dashboard_share_of_health_rps": round(share, 2),
        "memory_mb_by_pid": memory,
        "targets": {
            "dashboard_share_at_least": TARGET_SHARE,
            "p99_ms_below": TARGET_P99_MS,
            "met": share >= TARGET_SHARE
            and all(r["p99_ms"] < TARGET_P99_MS for r in results.values()),
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
