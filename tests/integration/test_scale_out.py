"""Scale-out: two web processes (gunicorn, on ports of their own) and three workers on one
database and one Redis. A person signed in on both gets a worker's live updates on both
sockets, and a download queued through one web process is fetched once, by one worker."""

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
import requests
from rq import Worker

from app.downloads.setup import youtube_dir
from app.extensions import db, redis_conn
from app.models import Download, DownloadItem
from tests.conftest import ROOT, WorkerProcess, wait_for, worker_env
from tests.integration.download_helpers import allow, files_under, started_site
from tests.integration.test_realtime import live_socket, sign_in

HIDDEN = r'<input type="hidden" name="(\w+)" value="([^"]*)"'


@dataclass
class Web:
    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_web(app) -> Web:
    port = free_port()
    env = worker_env(app)
    env.update(
        MEDIANEST_HOST="127.0.0.1",
        MEDIANEST_PORT=str(port),
        MEDIANEST_WEB_WORKERS="1",
        MEDIANEST_WEB_THREADS="16",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    web = Web(process, port)

    def healthy():
        if process.poll() is not None:
            raise RuntimeError("web process exited:\n" + process.stdout.read())
        try:
            return requests.get(web.url + "/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    wait_for(healthy, timeout=30, interval=0.2)
    return web


def stop_web(web: Web) -> None:
    web.process.terminate()
    try:
        web.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        web.process.kill()


@pytest.fixture
def cluster(app, auth):
    """alice, two web processes and three workers, all on the test database and Redis."""
    auth.owner()
    auth.create("alice")
    webs, workers = [], []
    try:
        webs = [start_web(app), start_web(app)]
        workers = [WorkerProcess(app) for _ in range(3)]
        with app.app_context():
            wait_for(lambda: len(Worker.all(connection=redis_conn())) == 3, timeout=30)
        yield webs, workers
    finally:
        for web in webs:
            stop_web(web)
        for worker in workers:
            worker.stop()


def post_form(session: requests.Session, url: str, form: dict) -> requests.Response:
    page = session.get(url.rsplit("/", 1)[0] + "/downloads/").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'"X-CSRFToken": "([^"]+)"', page)
    return session.post(url, data={"csrf_token": token.group(1), **form}, allow_redirects=False)


def test_two_web_processes_and_three_workers_share_the_live_updates_and_the_work(app, cluster):
    webs, workers = cluster
    site = started_site()
    try:
        with app.app_context():
            allow(site)
            db.session.remove()
        sessions = [sign_in(web, "alice") for web in webs]
        sockets = [live_socket(web, session) for web, session in zip(webs, sessions, strict=True)]

        feed = f"{site.url}/feeds/pond.xml"
        preview = post_form(sessions[0], webs[0].url + "/downloads/preview", {"urls": feed})
        fields = dict(re.findall(HIDDEN, preview.text))
        form = {key: fields[key] for key in ("url", "quality", "client_token")}
        added = post_form(sessions[0], webs[0].url + "/downloads", form)
        assert added.status_code == 302, added.text[:500]

        # The worker's events reach alice's sockets on both web processes.
        for live in sockets:
            heard = ""
            deadline = time.monotonic() + 60
            while "dl-" not in heard and time.monotonic() < deadline:
                heard += live.receive(timeout=2) or ""
            assert "dl-" in heard, "a worker's live update did not reach this web process"

        with app.app_context():

            def finished():
                db.session.expire_all()
                download = db.session.scalars(db.select(Download)).one()
                return download if download.status not in ("queued", "running") else None

            download = wait_for(finished, timeout=120, interval=0.5)
            items = db.session.scalars(db.select(DownloadItem)).all()
            assert download.status == "finished" and items
            assert all(item.status == "finished" for item in items)
            videos = [p for p in files_under(youtube_dir()) if p.suffix == ".mp4"]
            assert len(videos) == len(items)  # one file per video, none twice
            item_ids = [item.id for item in items]
        logs = [worker.stop() for worker in workers]
        for item_id in item_ids:
            runs = [log.count(f"fetch_item({item_id})") for log in logs]
            assert sum(1 for n in runs if n) == 1, f"video {item_id} was fetched by {runs}"
        for live in sockets:
            live.close()
    finally:
        site.stop()
