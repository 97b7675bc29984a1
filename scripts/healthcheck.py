"""Container health check: python scripts/healthcheck.py [web|worker|scheduler].

Without a role it reads the role given to the entrypoint (or, failing that, which of gunicorn,
`worker.py` and `worker.py --cron` is running). Web is healthy when GET /health answers 200;
a worker or the scheduler when Redis holds its registration from this host (RQ lets that lapse
a few minutes after the process stops sending heartbeats). Exit 0 when healthy, 1 when not.
"""

import os
import socket
import sys
import urllib.request
from pathlib import Path

TIMEOUT = 4
ROLES = {"web", "worker", "scheduler", "all"}


def running_role() -> str | None:
    """Which MediaNest service this container runs, from the command lines in /proc."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue  # the process ended while we looked
        entry = [i for i, arg in enumerate(args) if arg.endswith("docker-entrypoint.sh")]
        if entry:
            # tini keeps the entrypoint's arguments for the container's whole life.
            role = next((arg for arg in args[entry[0] + 1 :] if arg), "web")
            if role in ROLES:
                found.add("web" if role == "all" else role)
        elif any("gunicorn" in arg for arg in args) or "app.runner" in args:
            found.add("web")
        elif any(arg.endswith("worker.py") for arg in args):
            found.add("scheduler" if "--cron" in args else "worker")
    for role in ("web", "scheduler", "worker"):
        if role in found:
            return role
    return None


def check_web() -> bool:
    host = os.environ.get("MEDIANEST_HOST") or "127.0.0.1"
    if host in {"0.0.0.0", "::", ""}:
        host = "127.0.0.1"
    port = os.environ.get("MEDIANEST_PORT") or "8000"
    url = f"http://{host}:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status == 200
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return False


def check_registered(role: str) -> bool:
    url = os.environ.get("MEDIANEST_REDIS_URL")
    if not url:
        return True  # the embedded Redis lives inside the process; being alive is all we know
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    hostname = socket.gethostname()
    try:
        if role == "scheduler":
            from rq.cron import CronScheduler

            found = CronScheduler.all(connection=connection)
        else:
            from rq import Worker

            found = Worker.all(connection=connection)
    except RedisError as exc:
        print(f"Redis: {exc}", file=sys.stderr)
        return False
    if any(item.hostname == hostname for item in found):
        return True
    print(f"no {role} from {hostname} is registered in Redis", file=sys.stderr)
    return False


def main(argv: list[str]) -> int:
    role = argv[0] if argv else running_role()
    if role is None:
        return 0  # a one-off command, not a service
    if role == "web":
        return 0 if check_web() else 1
    if role in {"worker", "scheduler"}:
        return 0 if check_registered(role) else 1
    print(f"unknown role {role!r}: use web, worker or scheduler", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
