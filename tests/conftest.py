"""Fixtures: app, client, auth, live_server, worker, page.

With MEDIANEST_DATABASE_URL / MEDIANEST_REDIS_URL set (CI: PostgreSQL and Redis), the tests use
them; otherwise a SQLite file and an embedded Redis under a temporary folder.
"""

import atexit
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from app import create_app, settings
from app.embedded import start_embedded_redis, stop_embedded_redis
from app.extensions import db
from simulators import SimulatorServer, plextv
from simulators import plex_server as pms

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"

_TOKEN_PATTERNS = (
    re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'),
    re.compile(r'name="csrf_token" value="([^"]+)"'),
    re.compile(r'"X-CSRFToken": "([^"]+)"'),
)


@dataclass
class Services:
    database_url: str
    redis_url: str
    base: Path


def reset_database(url: str) -> None:
    """Start the run from an empty database."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def services(tmp_path_factory) -> Services:
    base = tmp_path_factory.mktemp("medianest")
    database_url = os.environ.get("MEDIANEST_DATABASE_URL") or f"sqlite:///{base / 'test.db'}"
    redis_url = os.environ.get("MEDIANEST_REDIS_URL")
    if not redis_url:
        redis_url = start_embedded_redis(str(base))
        # Stopped at exit, after the apps' event listeners (registered later, so told first) stop
        # listening; stopped at the end of the session, they would log about a lost Redis.
        atexit.register(stop_embedded_redis)
    reset_database(database_url)
    from flask_migrate import upgrade

    migrator = create_app(_config(base / "migrate", database_url, redis_url))
    with migrator.app_context():
        upgrade()
        db.engine.dispose()
    return Services(database_url, redis_url, base)


def _config(data_dir: Path, database_url: str, redis_url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key",
        # Real hashing, but cheap: scrypt's cost is for production, not for every test's users.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **extra,
    }


class Client(FlaskClient):
    """A test client that can find the CSRF token on the last page it saw."""

    last_token: str | None = None

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.status_code in (301, 302, 303):
            # A browser loads the next page, whose token is current (sign-in and out rotate it).
            self.last_token = None
        elif response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            for pattern in _TOKEN_PATTERNS:
                match = pattern.search(html)
                if match:
                    self.last_token = match.group(1)
                    break
        return response

    def token(self, page: str = "/login") -> str:
        if self.last_token is None:
            self.get(page)
        if self.last_token is None and page == "/login":  # signed in: /login only redirects
            self.get("/")
        assert self.last_token, f"no CSRF token found on {page}"
        return self.last_token

    def post_form(self, url: str, data: dict | None = None, page: str = "/login", **kwargs):
        """POST a form with a valid CSRF token, as a browser would."""
        data = {"csrf_token": self.token(page), **(data or {})}
        return self.post(url, data=data, **kwargs)

    def htmx_post(self, url: str, page: str = "/", **kwargs):
        headers = {"HX-Request": "true", "X-CSRFToken": self.token(page)}
        headers.update(kwargs.pop("headers", {}))
        return self.post(url, headers=headers, **kwargs)


def _empty_everything(services: Services) -> None:
    """Leave the shared database and Redis as empty as the next test expects them."""
    engine = create_engine(services.database_url)
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
    Redis.from_url(services.redis_url).flushdb()


@pytest.fixture
def make_app(services, tmp_path):
    """Build an app on the test services; extra settings override the defaults."""
    built = []

    def factory(**extra):
        data_dir = tmp_path / f"data{len(built)}"
        app = create_app(_config(data_dir, services.database_url, services.redis_url, **extra))
        app.test_client_class = Client
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    _empty_everything(services)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Accounts:
    """Create people and sign them in and out."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def create(self, username: str, password: str = PASSWORD, role: str = "user"):
        from app.models import User

        with self.app.app_context():
            user = User(username=username, role=role)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    def owner(self, username: str = "owner", password: str = PASSWORD) -> int:
        from app.setup.services import create_owner

        with self.app.app_context():
            return create_owner(username, password).id

    def login(self, username: str = "owner", password: str = PASSWORD, client=None):
        client = client or self.client
        return client.post_form("/login", {"username": username, "password": password})

    def logout(self, client=None):
        client = client or self.client
        return client.post_form("/logout", page="/")


@pytest.fixture
def auth(app, client) -> Accounts:
    return Accounts(app, client)


@pytest.fixture
def signed_in_owner(auth):
    """An owner exists and the client is signed in as them."""
    owner_id = auth.owner()
    response = auth.login()
    assert response.status_code == 302
    return owner_id


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


def worker_env(app) -> dict:
    env = dict(os.environ)
    env.update(
        MEDIANEST_DATABASE_URL=app.config["DATABASE_URL"],
        MEDIANEST_REDIS_URL=app.config["REDIS_URL"],
        MEDIANEST_DATA_DIR=app.config["DATA_DIR"],
        MEDIANEST_MEDIA_ROOT=app.config["MEDIA_ROOT"],
        MEDIANEST_SECRET_KEY=app.config["SECRET_KEY"],
    )
    return env


class WorkerProcess:
    """A real `python worker.py` process on the app's database and Redis."""

    def __init__(self, app, *args):
        self.app = app
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py"), *args],
            cwd=ROOT,
            env=worker_env(app),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_until_registered(self, timeout: float = 20) -> None:
        from rq import Worker

        connection = Redis.from_url(self.app.config["REDIS_URL"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if Worker.all(connection=connection):
                return
            if self.process.poll() is not None:
                raise RuntimeError("worker exited:\n" + self.process.stdout.read())
            time.sleep(0.1)
        raise TimeoutError("worker did not register in time")

    def stop(self) -> str:
        # Its work horse outlives a parent killed after the grace time, and would go on writing
        # into the next test's database: whatever is left below it is killed too.
        below = []
        if self.process.poll() is None:
            with contextlib.suppress(psutil.Error):
                below = psutil.Process(self.process.pid).children(recursive=True)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for child in below:
            with contextlib.suppress(psutil.Error):
                child.kill()
        return self.process.stdout.read()


@pytest.fixture
def worker(app):
    process = WorkerProcess(app)
    process.wait_until_registered()
    yield process
    process.stop()


def wait_for(predicate, timeout: float = 15, interval: float = 0.1):
    """Poll until predicate() is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: run `make system-deps`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def plex_world():
    """A simulated plex.tv with an owner, a friend the server is shared with, and a stranger."""
    from tests.integration.plex_helpers import PlexWorld

    state = plextv.PlexTvState()
    owner = state.add_account("owner", "owner@example.com")
    friend = state.add_account("friend", "friend@example.com")
    stranger = state.add_account("stranger", "stranger@example.com")
    server = state.add_server(owner, "Living Room")
    state.share(server, friend)
    plex_tv_app, server_app = plextv.create_app(state), pms.create_app(server)
    with SimulatorServer(plex_tv_app) as tv, SimulatorServer(server_app) as media:
        server.set_connections([media.url])
        yield PlexWorld(state, owner, friend, stranger, server, tv.url, media.url)


@pytest.fixture
def plex_app(make_app, plex_world):
    """An app whose owner already connected the simulated server."""
    app = make_app(
        PLEX_TV_URL=plex_world.plextv_url, PLEX_APP_URL=plex_world.plextv_url, PLEX_TV_TIMEOUT=1.0
    )
    Accounts(app, None).owner()
    with app.app_context():
        settings.put(
            {
                "plex.owner_token": plex_world.owner.token,
                "plex.owner_account_id": str(plex_world.owner.id),
                "plex.machine_id": plex_world.server.machine_identifier,
                "plex.server_url": plex_world.server_url,
                "plex.server_name": "Living Room",
            }
        )
    return app
