"""Redis restarting empty mid-download loses the queue, not the videos: the rows bring them back."""

from pathlib import Path

from redis import Redis

from app.downloads import services
from app.extensions import db
from app.models import DownloadItem
from tests.conftest import WorkerProcess, wait_for
from tests.integration.download_helpers import allow, files_under, person, settled, started_site


def test_videos_queued_when_redis_lost_its_data_are_fetched_once_all_the_same(
    make_app, monkeypatch
):
    monkeypatch.setenv("MEDIANEST_DOWNLOAD_REQUEUE_SECONDS", "2")
    app = make_app(DOWNLOAD_REQUEUE_SECONDS=2)
    site = started_site()
    worker = None
    try:
        with app.app_context():
            allow(site)
            site.state.switch(throttle=8_000)  # the first video is still coming when Redis goes
            added = services.add(person(), f"{site.url}/feeds/pond.xml")
            worker = WorkerProcess(app)
            worker.wait_until_registered()

            def first_running():
                db.session.expire_all()
                return db.session.scalars(
                    db.select(DownloadItem).where(DownloadItem.status == "running")
                ).first()

            wait_for(first_running, timeout=60)
            Redis.from_url(app.config["REDIS_URL"]).flushall()  # the queue and its jobs are gone
            site.state.switch(throttle=0)
            download = settled(added.download.id, timeout=120)
            assert download.status == "finished", [i.error for i in download.items]
            assert [i.attempts for i in download.items] == [1, 1, 1]
            videos = files_under(Path(app.config["MEDIA_ROOT"]))
            assert len([v for v in videos if v.suffix == ".mp4"]) == 3
    finally:
        if worker is not None:
            worker.stop()
        site.stop()
