"""`make run`: migrate, then run web, worker and scheduler together until Ctrl-C.

With no MEDIANEST_REDIS_URL it starts the embedded Redis first and hands its socket to the
three processes, so nothing has to be installed or configured.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 15


def migrate() -> None:
    """Bring the database schema up to date."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    print(f"Database ready: {_redact(app.config['DATABASE_URL'])}", flush=True)


def demo_reconnect() -> dict:
    """Settings that point a demo connected on an earlier run at this run's simulated server.

    The simulators start afresh each run (new ports, tokens and server id), so what the last
    run stored would reach nothing; the web process provisions from these instead.
    """
    from app import create_app, settings
    from simulators.registry import demo_plex_connection

    with create_app().app_context():
        connected = bool(settings.get("plex.machine_id"))
    return demo_plex_connection() if connected else {}


def _redact(url: str) -> str:
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://…@{rest.rpartition('@')[2]}"


def start_children(environ: dict) -> dict[str, subprocess.Popen]:
    python = sys.executable
    commands = {
        "web": [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        "worker": [python, "worker.py", "--queues", "default"],
        "scheduler": [python, "worker.py", "--cron"],
    }
    # Download concurrency: one worker process per video fetched at once.
    for number in range(1, max(1, int(environ.get("MEDIANEST_DOWNLOAD_WORKERS") or 2)) + 1):
        commands[f"download worker {number}"] = [python, "worker.py", "--queues", "downloads"]
    # Each child leads its own process group, so Ctrl-C reaches only this supervisor.
    return {
        name: subprocess.Popen(cmd, cwd=ROOT, env=environ, start_new_session=True)
        for name, cmd in commands.items()
    }


def stop_children(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def outside_services(config: dict) -> tuple[dict, list]:
    """Start what the embedded default and demo mode need; return their settings and servers."""
    from app.embedded import start_embedded_redis

    environ, simulators = {"MEDIANEST_DATA_DIR": config["DATA_DIR"]}, []
    if not config["REDIS_URL"]:
        environ["MEDIANEST_REDIS_URL"] = start_embedded_redis(config["DATA_DIR"])
        print(f"Embedded Redis running at {environ['MEDIANEST_REDIS_URL']}", flush=True)
    if config["DEMO"]:
        from simulators import start_all

        simulators, demo_settings = start_all()
        environ.update(demo_settings)
        print(
            "Demo mode: simulated plex.tv, Plex Media Server, TMDB, Overseerr, Uptime Kuma, a "
            "video site and an S3 bucket are running.",
            flush=True,
        )
        hook = demo_settings.get("MEDIANEST_NOTIFY_URLS", "")
        if hook.startswith("json://"):
            mailbox = "http://" + hook.removeprefix("json://").split("/", 1)[0] + "/"
            print(f"Demo mailbox (the email and messages MediaNest sends): {mailbox}", flush=True)
    return environ, simulators


def supervise(children: dict[str, subprocess.Popen], stop_requested) -> int:
    """Wait for Ctrl-C; if a process dies on its own, stop the rest and report failure."""
    while not stop_requested():
        dead = [name for name, child in children.items() if child.poll() is not None]
        if dead:
            print(f"MediaNest {', '.join(dead)} stopped unexpectedly; stopping.", flush=True)
            return 1
        time.sleep(0.5)
    return 0


def main() -> int:
    from app.config import build_config
    from app.embedded import stop_embedded_redis

    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    config = build_config()
    children, simulators = {}, []
    try:
        environ, simulators = outside_services(config)
        os.environ.update(environ)
        migrate()
        if config["DEMO"] and (reconnect := demo_reconnect()):
            os.environ.update(reconnect)
            print("Demo mode: Plex reconnected to this run's simulated server.", flush=True)
        children = start_children(dict(os.environ))
        print(
            f"MediaNest is starting on http://localhost:{config['PORT']}/ "
            f"(data in {config['DATA_DIR']}). Press Ctrl-C to stop.",
            flush=True,
        )
        return supervise(children, lambda: bool(stop))
    finally:
        print("Stopping MediaNest…", flush=True)
        stop_children(children)
        for simulator in simulators:
            simulator.stop()
        stop_embedded_redis()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
