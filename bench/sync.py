"""Library sync benchmark: a full sync of a large simulated library, and a recently-added scan.

    .venv/bin/python bench/sync.py [--items 100000] [--postgres URL] [--redis URL]

Prints JSON: the full sync's seconds and items per second, the seconds of only fetching and
parsing the same pages (measured in the same run, before and after the sync), their ratio, and
the seconds of a recently-added scan that finds 50 new items. The simulated Plex server runs in
its own process, so serving pages does not compete with the sync for this process's GIL.
PostgreSQL gets a scratch database (medianest_bench_sync) that is dropped afterwards.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
SCRATCH = "medianest_bench_sync"

# The simulated server: builds the library, prints its address, then adds items on request.
_SERVER = """
import logging
import sys
logging.getLogger("werkzeug").setLevel(logging.WARNING)
from simulators import SimulatorServer
from simulators import plex_server as pms
state = pms.PlexServerState(name="Bench", tokens={sys.argv[2]})
movies = state.add_library("Movies", "movie", count=int(sys.argv[1]))
with SimulatorServer(pms.create_app(state)) as server:
    print(server.url, flush=True)
    for line in sys.stdin:
        state.add_items(movies, int(line))
        print("ok", flush=True)
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def scratch_database(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH}"))
    admin.dispose()
    return make_url(url).set(database=SCRATCH).render_as_string(hide_password=False)


def drop_scratch(url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
    admin.dispose()


def fetch_and_parse(url: str, items: int, page_size: int) -> float:
    """Seconds to read and parse every page of the library, one after the other."""
    from app.library.parse import parse_page
    from app.library.plex_pages import PlexReader

    reader = PlexReader(url, TOKEN, timeout=60)
    started = time.perf_counter()
    parsed = 0
    for start in range(0, items, page_size):
        data = reader.page("/library/sections/1/all", start, page_size, {"includeGuids": "1"})
        parsed += len(parse_page(data).items)
    seconds = time.perf_counter() - started
    reader.close()
    assert parsed == items, f"parsed {parsed} of {items}"
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "MEDIANEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("MEDIANEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app, settings
    from app.extensions import db
    from app.library import services

    log(f"Starting a simulated Plex server with {args.items:,} movies")
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(args.items), TOKEN],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    database = scratch_database(args.postgres)
    try:
        plex_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as data_dir:
            app = create_app(
                {
                    "DATA_DIR": data_dir,
                    "DATABASE_URL": database,
                    "REDIS_URL": args.redis,
                    "SECRET_KEY": "bench",
                    "LIBRARY_PAGE_SIZE": args.page_size,
                    "LIBRARY_SYNC_TIMEOUT": 120.0,
                }
            )
            with app.app_context():
                upgrade()
                settings.put({"plex.server_url": plex_url, "plex.owner_token": TOKEN})
                log("Fetching and parsing every page (baseline)")
                before = fetch_and_parse(plex_url, args.items, args.page_size)
                log("Full sync")
                started = time.perf_counter()
                full = services.full_sync()
                full_seconds = time.perf_counter() - started
                assert full["status"] == "succeeded", full
                log("Fetching and parsing every page again")
                after = fetch_and_parse(plex_url, args.items, args.page_size)
                log("Second full sync (nothing changed)")
                started = time.perf_counter()
                unchanged = services.full_sync()
                unchanged_seconds = time.perf_counter() - started
                server.stdin.write("50\n")
                server.stdin.flush()
                server.stdout.readline()
                log("Recently-added scan with 50 new items")
                started = time.perf_counter()
                recent = services.recent_sync()
                recent_seconds = time.perf_counter() - started
                assert recent["added"] == 50, recent
                db.session.remove()
                db.engine.dispose()
        baseline = min(before, after)
        print(
            json.dumps(
                {
                    "items": args.items,
                    "page_size": args.page_size,
                    "database": "postgresql",
                    "full_sync_seconds": round(full_seconds, 2),
                    "full_sync_items_per_second": round(args.items / full_seconds),
                    "fetch_parse_seconds_before": round(before, 2),
                    "fetch_parse_seconds_after": round(after, 2),
                    "full_sync_vs_fetch_parse": round(full_seconds / baseline, 2),
                    "unchanged_full_sync_seconds": round(unchanged_seconds, 2),
                    "unchanged_full_sync_updated": unchanged["updated"],
                    "recent_scan_seconds": round(recent_seconds, 3),
                    "recent_scan_added": recent["added"],
                    "targets": {
                        "full_sync_seconds": 60,
                        "full_sync_vs_fetch_parse": 2,
                        "recent_scan_seconds": 2,
                    },
                },
                indent=2,
            )
        )
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(timeout=10)
        drop_scratch(args.postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
