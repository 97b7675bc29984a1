"""Search latency over a 100,000-item catalog on PostgreSQL and on SQLite; prints JSON.

    python bench/search.py [--items 100000] [--queries 600] [--postgres URL] [--skip-sqlite]

The catalog is loaded by the library sync itself from the Plex Media Server simulator (run in
its own process), so it holds the simulator's accented titles, people and collections. The
PostgreSQL run uses a scratch database next to the one in --postgres (or
MEDIANEST_DATABASE_URL) and drops it afterwards; Redis is an embedded one unless
MEDIANEST_REDIS_URL is set.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app, settings  # noqa: E402
from app.embedded import start_embedded_redis, stop_embedded_redis  # noqa: E402
from app.extensions import db  # noqa: E402
from app.library import services  # noqa: E402
from app.library.search import fold, search  # noqa: E402
from app.models import ItemTag, MediaItem  # noqa: E402
from bench.common import start_plex_simulator  # noqa: E402

TOKEN = "bench-search-token"
SCRATCH = "medianest_bench_search"


def typo(word: str, rng: random.Random) -> str:
    """The word with two neighbouring letters swapped or one letter dropped, past the start."""
    if len(word) < 5:
        return word
    at = rng.randrange(2, len(word) - 1)
    if rng.random() < 0.5:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + word[at + 1 :]


def query_mix(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the catalog, as people type them."""
    rng = random.Random(seed)
    titles = db.session.scalars(
        select(MediaItem.title).where(MediaItem.removed_at.is_(None)).limit(5000)
    ).all()
    people = [
        p
        for value in db.session.scalars(
            select(MediaItem.people).where(MediaItem.people.is_not(None)).limit(2000)
        )
        for p in value.split("\n")
        if p
    ]
    collections = db.session.scalars(
        select(ItemTag.value).where(ItemTag.kind == "collection").distinct().limit(200)
    ).all()
    summaries = db.session.scalars(
        select(MediaItem.summary).where(MediaItem.summary.is_not(None)).limit(2000)
    ).all()
    kinds = {
        "title": lambda: rng.choice(titles),
        "title_prefix": lambda: rng.choice(titles)[: rng.randint(3, 8)],
        "title_word": lambda: rng.choice(rng.choice(titles).split()),
        "title_folded": lambda: fold(rng.choice(titles)),
        "typo": lambda: " ".join(typo(w, rng) for w in rng.choice(titles).split()[:2]),
        "person": lambda: rng.choice(people) if people else "anna",
        "collection": lambda: rng.choice(collections) if collections else "classics",
        "summary_words": lambda: " ".join(rng.choice(summaries).split()[2:4]),
        "one_letter": lambda: rng.choice("abcdefghijklmnopqrstuvwxyz"),
        "nothing": lambda: rng.choice(["xqzvw", "zzzzzz qqqq", "'; --", "😀"]),
    }
    names = list(kinds)
    return [(kind, kinds[kind]()) for kind in (names[i % len(names)] for i in range(count))]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def measure(app, queries: list[tuple[str, str]]) -> dict:
    with app.app_context():
        for _kind, query in queries[:50]:  # warm caches as a running server would have them
            search(query)
        timings: dict[str, list[float]] = {}
        hits = 0
        for kind, query in queries:
            start = time.perf_counter()
            result = search(query)
            elapsed = (time.perf_counter() - start) * 1000
            timings.setdefault(kind, []).append(elapsed)
            hits += bool(result.hits)
            db.session.rollback()
        every = [t for values in timings.values() for t in values]
        return {
            "queries": len(every),
            "with_hits": hits,
            "p50_ms": round(percentile(every, 50), 2),
            "p95_ms": round(percentile(every, 95), 2),
            "max_ms": round(max(every), 2),
            "by_kind_p95_ms": {k: round(percentile(v, 95), 2) for k, v in timings.items()},
        }


def run(database_url: str, redis_url: str, data_dir: Path, plex_url: str, count: int) -> dict:
    from flask_migrate import upgrade

    config = {"DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    app = create_app(config)
    with app.app_context():
        upgrade()
        settings.put({"plex.server_url": plex_url, "plex.owner_token": TOKEN})
        start = time.perf_counter()
        report = services.full_sync()
        load_seconds = time.perf_counter() - start
        if report["status"] != "succeeded":
            raise SystemExit(f"the sync failed: {report}")
        items = db.session.scalar(select(db.func.count()).select_from(MediaItem))
        queries = query_mix(count)
    figures = measure(app, queries)
    with app.app_context():
        db.engine.dispose()
    return {"items": items, "load_seconds": round(load_seconds, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--postgres", default=os.environ.get("MEDIANEST_DATABASE_URL", ""))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="medianest-bench-search-"))
    redis_url = os.environ.get("MEDIANEST_REDIS_URL") or start_embedded_redis(str(base))
    simulator, plex_url = start_plex_simulator(args.items, TOKEN)
    results: dict = {"target_p95_ms": 30}
    try:
        if not args.skip_sqlite:
            url = f"sqlite:///{base / 'search.db'}"
            results["sqlite"] = run(url, redis_url, base / "sqlite", plex_url, args.queries)
        if args.postgres.startswith("postgresql"):
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
                connection.execute(text(f"CREATE DATABASE {SCRATCH}"))
            scratch = make_url(args.postgres).set(database=SCRATCH)
            try:
                results["postgresql"] = run(
                    scratch.render_as_string(hide_password=False),
                    redis_url,
                    base / "postgresql",
                    plex_url,
                    args.queries,
                )
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
                admin.dispose()
    finally:
        simulator.terminate()
        simulator.wait(timeout=15)
        if not os.environ.get("MEDIANEST_REDIS_URL"):
            stop_embedded_redis()
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
