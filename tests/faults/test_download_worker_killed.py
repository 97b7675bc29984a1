"""A worker killed with SIGKILL mid-download: the video is fetched again by the next worker,
with one file per video in the end and no yt-dlp or ffmpeg left running."""

import os
import signal

from app.downloads import services
from app.extensions import db
from app.models import DownloadItem
from tests.conftest import WorkerProcess, wait_for
from tests.integration.download_helpers import allow, files_under, person, settled, started_site
from tests.integration.ytdlp_helpers import _processes, group_members, ytdlp_children


def descendants(pid: int) -> list[int]:
    """Every live process below pid (the RQ work horse and the yt-dlp child under it)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, state, ppid, _ in _processes():
            if ppid == parent and state != "Z":
                found.append(child)
                frontier.append(child)
    return found


def test_a_killed_worker_delays_a_download_and_never_doubles_it(make_app, monkeypatch, tmp_path):
    # A short lease, so the sweeper notices the dead job within seconds rather than minutes.
    monkeypatch.setenv("MEDIANEST_DOWNLOAD_LEASE_SECONDS", "4")
    app = make_app(DOWNLOAD_LEASE_SECONDS=4)
    site = started_site()
    try:
        with app.app_context():
            allow(site)
            site.state.switch(throttle=6_000)
            added = services.add(person(), f"{site.url}/feeds/pond.xml")
            first = WorkerProcess(app)
            first.wait_until_registered()

            def fetching():
                db.session.expire_all()
                item = db.session.scalars(
                    db.select(DownloadItem).where(DownloadItem.status == "running")
                ).first()
                if item is None or not services.live_progress([item.id]):
                    return None
                horses = [p for p in descendants(first.process.pid) if ytdlp_children(p)]
                return horses[0] if horses else None

            horse = wait_for(fetching, timeout=60)
            child = ytdlp_children(horse)[0]
            child_group = os.getpgid(child)
            os.kill(first.process.pid, signal.SIGKILL)
            os.kill(horse, signal.SIGKILL)
            first.process.wait()
            # yt-dlp's process group notices its parent is gone and ends itself, ffmpeg too.
            wait_for(lambda: not group_members(child_group), timeout=15)
            running = db.session.scalars(
                db.select(DownloadItem).where(DownloadItem.status == "running")
            ).all()
            assert len(running) == 1
            site.state.switch(throttle=0)
            second = WorkerProcess(app)
            second.wait_until_registered()
            try:
                download = settled(added.download.id, timeout=120)
            finally:
                second.stop()
            assert download.status == "finished", [i.error for i in download.items]
            assert max(i.attempts for i in download.items) == 2
            root = app.config["MEDIA_ROOT"] + "/youtube"
            videos = [f for f in files_under(tmp_path.joinpath(root)) if f.suffix == ".mp4"]
            assert sorted(v.name.rsplit("[", 1)[1] for v in videos) == [
                "vs000000005].mp4",
                "vs000000006].mp4",
                "vs000000007].mp4",
            ]
    finally:
        site.stop()
