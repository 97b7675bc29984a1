"""Run an RQ worker (default) or the RQ cron scheduler (--cron), inside the MediaNest app."""

import argparse
import sys
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker

from app import create_app
from app.database import SchemaBehind, require_current_schema
from app.extensions import QUEUE_NAMES, db, redis_conn
from app.jobs import job_class_for, job_exception_handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cron", action="store_true", help="run the scheduler, not a worker")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    parser.add_argument(
        "--queues", default=",".join(QUEUE_NAMES), help="comma-separated queues (default: all)"
    )
    args = parser.parse_args(argv)

    app = create_app()
    try:
        require_current_schema(app)
    except SchemaBehind as exc:
        print(f"MediaNest cannot start: {exc}", file=sys.stderr)
        return 3
    with app.app_context():
        connection = redis_conn()
        db.engine.dispose()  # jobs run in forked children; they must open their own connections
    level = app.config["LOG_LEVEL"]
    # Import the job modules once here: each job runs in a forked child, which would otherwise
    # import them again for every job (a few hundred milliseconds each time).
    from app import schedule  # noqa: F401

    if args.cron:
        from app.schedule import build_cron

        build_cron(app, connection).start()
        return 0
    queues = [name for name in args.queues.split(",") if name in QUEUE_NAMES]
    if not queues:
        print(f"MediaNest knows the queues {', '.join(QUEUE_NAMES)}.", file=sys.stderr)
        return 2
    while True:
        worker = Worker(
            queues,
            connection=connection,
            job_class=job_class_for(app),
            # Keeps each failure as an AppError with its correlation id; RQ's own handling runs too.
            exception_handlers=[job_exception_handler(app)],
        )
        try:
            worker.work(burst=args.burst, logging_level=level)
            return 0
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # Redis restarted or is away: wait for it rather than exit; what its queue held comes
            # back from the database through the sweepers.
            _wait_for_redis(connection, exc)


def _wait_for_redis(connection, exc: Exception) -> None:
    delay = 0.5
    print(f"Lost Redis ({exc}); waiting for it to come back.", file=sys.stderr, flush=True)
    while True:
        time.sleep(delay)
        try:
            connection.ping()
            print("Redis is back; taking jobs again.", file=sys.stderr, flush=True)
            return
        except (RedisConnectionError, RedisTimeoutError):
            delay = min(delay * 2, 10)


if __name__ == "__main__":
    sys.exit(main())
