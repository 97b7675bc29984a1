"""The disk fills up mid-download: the video fails in plain words at once, admins are told, and
the worker goes on (its YouTube folder is a small tmpfs in a mount namespace of its own)."""

import subprocess
import sys

import pytest
from redis import Redis
from rq import Worker
from sqlalchemy import select

from app import settings
from app.downloads import services
from app.extensions import db
from app.models import Notification
from tests.conftest import ROOT, wait_for, worker_env
from tests.integration.download_helpers import allow, person, settled, started_site

NO_MOUNT = 97  # the exit status that says the small disk could not be made


@pytest.fixture
def site():
    server = started_site()
    yield server
    server.stop()


def worker_on_small_disk(app, folder, size: int) -> subprocess.Popen:
    mount = f"mount -t tmpfs -o size={size} tmpfs {folder} || exit {NO_MOUNT}"
    command = ["unshare", "-m", "sh", "-c", f'{mount}; exec "$0" "$1"']
    command += [sys.executable, str(ROOT / "worker.py")]
    return subprocess.Popen(
        command, cwd=ROOT, env=worker_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_a_full_disk_fails_the_video_in_words_and_tells_the_admins(app, site, tmp_path):
    folder = tmp_path / "media" / "youtube"
    with app.app_context():
        allow(site)
        video_id = max(site.state.catalog.videos, key=lambda v: site.state.media_for(v).size)
        size = site.state.media_for(video_id).size
        folder.mkdir(parents=True)
        settings.put({"downloads.youtube_dir": str(folder)})
        boss = person("boss", role="admin")
        ann = person("ann")
        worker = worker_on_small_disk(app, folder, (size // 2) // 4096 * 4096)
        try:
            connection = Redis.from_url(app.config["REDIS_URL"])

            def registered():
                if worker.poll() is not None:
                    output = worker.stdout.read().decode()
                    if worker.returncode == NO_MOUNT or output.startswith("unshare:"):
                        pytest.skip(f"cannot mount a small tmpfs here: {output.strip()}")
                    raise RuntimeError(output)
                return Worker.all(connection=connection)

            wait_for(registered, timeout=30)
            added = services.add(ann, f"{site.url}/watch/{video_id}")
            download = settled(added.download.id, timeout=90)
            item = download.items[0]
            assert (download.status, item.status, item.attempts) == ("failed", "failed", 1)
            assert item.error == "The disk is full."
            told = db.session.scalars(
                select(Notification.title).where(Notification.user_id == boss.id)
            ).all()
            assert "Downloads stopped: the disk is full" in told
        finally:
            worker.terminate()
            worker.wait(timeout=20)
