"""Discover's page and title pages over a 100,000-item catalog, warm and cold; prints JSON.

    python bench/discover.py [--items 100000] [--rounds 200] [--cold 30] [--latency 0.1]

The catalog is loaded by the library sync from the Plex Media Server simulator (its own process);
the TMDB simulator (its own process too) holds those same movies (most cards say "On Plex")
plus titles to request. Pages are asked of the app in this process (a test client signed in as an
ordinary person), so the figures are the server's own time, without a network in between.

- warm: /discover and title pages answered from our database; TMDB answers in --latency seconds
  and must not be asked at all.
- cold: the stored titles, lists and cached searches are emptied before each request, so the
  page asks TMDB (answering in --latency seconds) and stores what it gets.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select  # noqa: E402

from app import create_app, settings  # noqa: E402
from app.embedded import start_embedded_redis, stop_embedded_redis  # noqa: E402
from app.extensions import db, redis_conn  # noqa: E402
from app.library import services  # noqa: E402
from app.models import DiscoverList, DiscoverTitle, MediaItem, User  # noqa: E402
from app.setup.services import create_owner  # noqa: E402
from bench.common import machine_busy_seconds, percentile, start_plex_simulator  # noqa: E402
from simulators import tmdb  # noqa: E402

TOKEN = "bench-discover-token"
PASSWORD = "bench-password-123"
TARGET_WARM_P95_MS = 50
TARGET_COLD_P95_MS = 400


def sign_in(app, username: str):
    client = app.test_client()
    response = client.get("/login")
    page = response.get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match is None:
        raise SystemExit(f"no sign-in form: {response.status_code} {response.location}")
    token = match[1]
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302, "sign-in failed"
    return client


def timed(client, url: str) -> tuple[float, float]:
    """Wall time and this process's CPU time of one request, in ms."""
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, (time.process_time() - cpu) * 1000


def summary(values: list[tuple[float, float]]) -> dict:
    wall, cpu = sorted(v[0] for v in values), sorted(v[1] for v in values)
    return {
        "requests": len(wall),
        "p50_ms": round(percentile(wall, 50), 1),
        "p95_ms": round(percentile(wall, 95), 1),
        "max_ms": round(wall[-1], 1),
        # On a busy machine wall time includes waiting for a core; CPU time is the work itself.
        "cpu_p50_ms": round(percentile(cpu, 50), 1),
        "cpu_p95_ms": round(percentile(cpu, 95), 1),
    }


def forget_everything(app) -> None:
    with app.app_context():
        db.session.execute(delete(DiscoverList))
        db.session.execute(delete(DiscoverTitle))
        db.session.commit()
        for key in redis_conn().scan_iter("medianest:discover:*"):
            redis_conn().delete(key)


CALLS = {"tmdb": 0}


def count_tmdb_calls() -> None:
    """Count the app's calls to TMDB (the simulator runs in its own process)."""
    from app.integrations import tmdb as tmdb_client

    original = tmdb_client.Client.get

    def counted(self, path, **params):
        CALLS["tmdb"] += 1
        return original(self, path, **params)

    tmdb_client.Client.get = counted


def start_tmdb_simulator(plex_movies: int, latency: float):
    command = [sys.executable, "-m", "simulators.tmdb", "--plex-movies", str(plex_movies)]
    command += ["--latency", str(latency)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def measure(app, client, latency: float, ids: list[int], rounds: int, cold: int) -> dict:
    pages = [f"/discover/movie/{i}" for i in ids]
    cold_index, cold_page, cold_title = 0, [], []
    for _ in range(cold):
        forget_everything(app)
        cold_page.append(timed(client, "/discover"))
        cold_title.append(timed(client, pages[cold_index % len(pages)]))
        cold_index += 1
    for url in pages:  # store every title measured warm
        client.get(url)
    hits = CALLS["tmdb"]
    warm_page, warm_title = [], []
    for n in range(rounds):
        warm_page.append(timed(client, "/discover"))
        warm_title.append(timed(client, pages[n % len(pages)]))
    return {
        "warm": {
            "discover": summary(warm_page),
            "title": summary(warm_title),
            "tmdb_calls": CALLS["tmdb"] - hits,
            "target_p95_ms": TARGET_WARM_P95_MS,
        },
        "cold": {
            "discover": summary(cold_page),
            "title": summary(cold_title),
            "tmdb_latency_ms": round(latency * 1000),
            "target_p95_ms": TARGET_COLD_P95_MS,
        },
    }


def run(args, base: Path, redis_url: str, plex_url: str, tmdb_url: str) -> dict:
    from flask_migrate import upgrade

    config = {
        "DATA_DIR": str(base / "data"),
        "DATABASE_URL": args.database or f"sqlite:///{base / 'discover.db'}",
        "REDIS_URL": redis_url,
        "TMDB_URL": f"{tmdb_url}/3",
        "TMDB_IMAGE_URL": f"{tmdb_url}/t/p",
        "TMDB_API_KEY": tmdb.DEMO_API_KEY,
        "LOG_LEVEL": "WARNING",
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
        settings.put({"plex.server_url": plex_url, "plex.owner_token": TOKEN})
        report = services.full_sync()
        if report["status"] != "succeeded":
            raise SystemExit(f"the sync failed: {report}")
        items = db.session.scalar(select(func.count()).select_from(MediaItem))
        create_owner("benchowner", PASSWORD, via="cli")
        friend = User(username="benchfriend")
        friend.set_password(PASSWORD)
        db.session.add(friend)
        db.session.commit()
    client = sign_in(app, "benchfriend")
    on_plex = [1_000_011 + i for i in range(0, args.items, max(args.items // 25, 1))][:25]
    not_on_plex = [1_000_011 + args.items + i for i in range(25)]
    busy_before, started = machine_busy_seconds(), time.monotonic()
    figures = measure(app, client, args.latency, on_plex + not_on_plex, args.rounds, args.cold)
    wall = time.monotonic() - started
    with app.app_context():
        db.engine.dispose()
    return {
        "items": items,
        "database": "postgresql" if args.database else "sqlite",
        **figures,
        "machine_busy_cores": round((machine_busy_seconds() - busy_before) / wall, 2),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per simulated call
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--cold", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--database", default="", help="a scratch PostgreSQL URL (else SQLite)")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="medianest-bench-discover-"))
    redis_url = os.environ.get("MEDIANEST_REDIS_URL") or start_embedded_redis(str(base))
    simulator, plex_url = start_plex_simulator(args.items, TOKEN)
    tmdb_sim, tmdb_url = start_tmdb_simulator(args.items, args.latency)
    count_tmdb_calls()
    try:
        results = run(args, base, redis_url, plex_url, tmdb_url)
    finally:
        for process in (simulator, tmdb_sim):
            process.terminate()
            process.wait(timeout=15)
        if not os.environ.get("MEDIANEST_REDIS_URL"):
            stop_embedded_redis()
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
