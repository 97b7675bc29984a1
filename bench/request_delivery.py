"""Request delivery benchmark: 1,000 requests made while Overseerr is down, delivered once back.

    .venv/bin/python bench/request_delivery.py [--requests 1000] [--workers 4] [--down 20]

Builds a throwaway MediaNest (SQLite and the embedded Redis in a temporary folder), a simulated
Overseerr on 127.0.0.1 that then stops listening (connection refused), and the requests with their
outbox rows, as the requests pages make them. Real `python worker.py` processes and the real RQ
cron scheduler (`worker.py --cron`, which runs the 15-second sweeper) do the work with the default
settings (breaker, back-off). After --down seconds Overseerr comes back; the figure is the seconds
from then until every request is delivered, and whether each reached Overseerr exactly once.
Prints JSON to stdout, progress to stderr; everything it started is stopped on the way out.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLEX_ID = 41_000_001
# Where the workers' own output goes: nowhere, unless BENCH_LOG names a file.
LOG = open(os.environ["BENCH_LOG"], "a") if os.environ.get("BENCH_LOG") else subprocess.DEVNULL  # noqa: SIM115


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(data_dir: Path, redis_url: str, sim, count: int):
    """Migrate, configure Overseerr, add one matched person and `count` requests to deliver."""
    from flask_migrate import upgrade

    from app import create_app, settings
    from app.extensions import db
    from app.models import MediaRequest, OverseerrLink, User
    from app.requests import delivery

    app = create_app(
        {"DATA_DIR": str(data_dir), "REDIS_URL": redis_url, "SECRET_KEY": "bench-secret"}
    )
    with app.app_context():
        upgrade()
        settings.put({"overseerr.url": sim.url, "overseerr.api_key": sim.state.api_key})
        user = User(username="alice", role="user")
        user.set_password("bench-password-123")
        db.session.add(user)
        db.session.flush()
        overseerr_user = sim.state.add_user("alice", plex_id=PLEX_ID)
        db.session.add(OverseerrLink(user_id=user.id, overseerr_user_id=overseerr_user.id))
        db.session.commit()
        sim.go_away()
        for tmdb_id in range(1, count + 1):
            req = MediaRequest(
                user_id=user.id,
                media_type="movie",
                tmdb_id=tmdb_id,
                title=f"Movie {tmdb_id}",
                status="pending",
                delivery="waiting",
            )
            db.session.add(req)
            db.session.flush()
            delivery.queue(req, "submit")
        db.session.commit()  # enqueues every delivery job
        db.engine.dispose()
    return app


def counts(app) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import MediaRequest

    with app.app_context():
        rows = db.session.execute(
            select(MediaRequest.delivery, func.count()).group_by(MediaRequest.delivery)
        ).all()
        db.session.remove()
    return dict(rows)


def start(environ: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py"), *args],
        cwd=ROOT,
        env=environ,
        stdout=LOG,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--down", type=float, default=60, help="seconds Overseerr stays down")
    parser.add_argument("--limit", type=float, default=180, help="give up after this long")
    args = parser.parse_args()

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from app.embedded import start_embedded_redis, stop_embedded_redis
    from simulators.overseerr import OverseerrSimulator

    data_dir = Path(tempfile.mkdtemp(prefix="medianest-bench-delivery-"))
    processes: list[subprocess.Popen] = []
    sim = OverseerrSimulator()
    try:
        redis_url = start_embedded_redis(str(data_dir))
        log(f"Creating {args.requests} requests while Overseerr is down…")
        app = build(data_dir, redis_url, sim, args.requests)
        environ = {
            **os.environ,
            "MEDIANEST_DATA_DIR": str(data_dir),
            "MEDIANEST_REDIS_URL": redis_url,
            "MEDIANEST_SECRET_KEY": "bench-secret",
            "MEDIANEST_LOG_LEVEL": os.environ.get("BENCH_LEVEL", "WARNING"),
        }
        environ.pop("MEDIANEST_DATABASE_URL", None)
        processes = [start(environ) for _ in range(args.workers)] + [start(environ, "--cron")]
        time.sleep(args.down)
        log(f"While down: {counts(app)}. Overseerr comes back.")
        sim.come_back()
        back, sent, said = time.monotonic(), 0, 0.0
        while time.monotonic() - back < args.limit:
            sent = counts(app).get("sent", 0)
            if sent >= args.requests:
                break
            if time.monotonic() - said > 5:
                said = time.monotonic()
                log(f"{said - back:5.1f} s after Overseerr is back: {sent} delivered")
            time.sleep(0.2)
        seconds = time.monotonic() - back
        per_title = Counter(r.media.tmdb_id for r in sim.state.requests.values())
        figure = {
            "requests": args.requests,
            "workers": args.workers,
            "down_seconds": args.down,
            "delivered": sent,
            "seconds_after_back_until_all_delivered": round(seconds, 1),
            "overseerr_requests": len(sim.state.requests),
            "titles_sent_more_than_once": sum(1 for n in per_title.values() if n > 1),
        }
        print(json.dumps(figure, indent=2))
        return 0 if sent == args.requests and figure["titles_sent_more_than_once"] == 0 else 1
    finally:
        stop(processes)
        sim.stop()
        stop_embedded_redis()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
