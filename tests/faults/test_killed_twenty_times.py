"""A worker killed with SIGKILL twenty times in the middle of the work, each time at a slightly
different moment: Overseerr submissions, a library sync and a download. Each time the next
worker takes the work up again, and in the end nothing is lost and nothing is there twice.
Each test prints its figures."""

import contextlib
import os
import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import settings
from app.downloads import services as downloads
from app.extensions import db, redis_conn
from app.library.sync_jobs import start_full_sync
from app.models import DownloadItem, MediaItem, MediaRequest, RequestAction, SyncRun
from app.models.base import utcnow
from app.requests import tasks as request_tasks
from tests.conftest import WorkerProcess, wait_for
from tests.faults.test_download_worker_killed import descendants
from tests.integration import library_helpers, overseerr_helpers
from tests.integration.download_helpers import allow, files_under, person, settled, started_site
from tests.integration.overseerr_helpers import ask, sweep_until, view

KILLS = 20
sim, ov_app = overseerr_helpers.sim, overseerr_helpers.ov_app
plex = library_helpers.plex


def kill_hard(worker: WorkerProcess) -> None:
    """SIGKILL the worker and everything under it (its work horse, yt-dlp, ffmpeg)."""
    if worker.process.poll() is not None:
        return
    for pid in [worker.process.pid, *descendants(worker.process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.process.wait()


def kill_mid(app, in_flight, after_kill, kills: int = KILLS) -> list[float]:
    """Start a worker, wait until the work is under way, wait 0 to 0.4 s more (a different
    moment each time) and kill it; `kills` times. Returns the seconds each took to start."""
    took = []
    for n in range(kills):
        started = time.monotonic()
        worker = WorkerProcess(app)
        try:
            wait_for(lambda worker=worker: in_flight(worker), timeout=60, interval=0.02)
            took.append(time.monotonic() - started)
            time.sleep((n % 5) * 0.1)
        finally:
            kill_hard(worker)
        with app.app_context():
            after_kill()
            db.session.remove()
    return took


@pytest.mark.timeout(900)  # twenty workers started and killed, on a busy machine
def test_submissions_to_overseerr_killed_twenty_times_reach_it_once_each(ov_app, sim):
    alice = overseerr_helpers.person(ov_app, sim, "alice")
    wanted = list(range(201, 231))  # more than the kills: each kill finds one under way
    ids = [ask(ov_app, alice, tmdb_id) for tmdb_id in wanted]
    # Overseerr stores each request, then takes a while to answer: the worst moment to die.
    sim.state.store_then_stall_seconds = 0.6

    def posts() -> int:
        return sum(1 for c in sim.state.calls if c[:2] == ("POST", "/api/v1/request"))

    seen = {"posts": posts()}

    def posting(_worker) -> bool:
        return posts() > seen["posts"]

    def after_kill() -> None:
        seen["posts"] = posts()
        # A killed worker's lease (five minutes) has run out: the sweeper brings the rows back.
        db.session.execute(
            RequestAction.__table__.update()
            .where(RequestAction.state == "pending")
            .values(due_at=utcnow())
        )
        db.session.commit()
        request_tasks.sweep_actions()

    started = time.monotonic()
    took = kill_mid(ov_app, posting, after_kill)
    sim.state.store_then_stall_seconds = 0
    final = WorkerProcess(ov_app)
    final.wait_until_registered()
    try:
        sweep_until(ov_app, lambda: all(view(ov_app, i)["delivery"] == "sent" for i in ids), 60)
    finally:
        final.stop()
    stored = Counter(r.media.tmdb_id for r in sim.state.requests.values())
    print(
        f"\nOverseerr submissions: {KILLS} kills, {posts()} POSTs seen by Overseerr, "
        f"{sum(stored.values())} requests stored for {len(wanted)} asked, "
        f"{time.monotonic() - started:.1f} s, worker up in {max(took):.1f} s at most"
    )
    assert stored == dict.fromkeys(wanted, 1)
    with ov_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MediaRequest)) == len(wanted)
        kinds = db.session.execute(select(RequestAction.kind, RequestAction.state)).all()
        assert Counter(kinds) == {("submit", "done"): len(wanted)}
        overseerr_ids = {view(ov_app, i)["overseerr_id"] for i in ids}
        assert overseerr_ids == {r.id for r in sim.state.requests.values()}


@pytest.mark.timeout(900)  # twenty workers started and killed, on a busy machine
def test_a_library_sync_killed_twenty_times_ends_with_every_item_once(make_app, plex, monkeypatch):
    monkeypatch.setenv("MEDIANEST_LIBRARY_PAGE_SIZE", "40")
    app = make_app(LIBRARY_PAGE_SIZE=40)
    with app.app_context():
        settings.put(
            {
                "plex.server_url": plex.url,
                "plex.owner_token": library_helpers.TOKEN,
                "plex.machine_id": plex.state.machine_identifier,
            }
        )
    plex.state.add_library("Movies", "movie", count=400)
    plex.state.add_library("TV Shows", "show", count=20, seasons=2, episodes=4)
    expected = 400 + 20 + 40 + 160
    plex.state.slow_seconds = 0.1  # a sync of some seconds, to be killed in the middle of

    killed = {"run": 0}

    def syncing(_worker) -> bool:
        """A new run under way: its worker holds the locks (taken over from the killed one)."""
        db.session.expire_all()
        run = db.session.scalar(select(func.max(SyncRun.id)).where(SyncRun.status == "running"))
        db.session.rollback()
        return (run or 0) > killed["run"]

    def after_kill() -> None:
        killed["run"] = db.session.scalar(select(func.max(SyncRun.id)))
        assert start_full_sync() is None  # as "Sync now" or the schedule asks again

    with app.app_context():
        assert start_full_sync() is None
        started = time.monotonic()
        took = kill_mid(app, syncing, after_kill)
        plex.state.slow_seconds = 0
        final = WorkerProcess(app)
        final.wait_until_registered()
        try:

            def succeeded():
                db.session.expire_all()
                run = db.session.scalars(select(SyncRun).order_by(SyncRun.id.desc())).first()
                return run is not None and run.status == "succeeded" and run

            wait_for(succeeded, timeout=120, interval=0.5)
        finally:
            final.stop()
        runs = Counter(db.session.scalars(select(SyncRun.status)))
        items = db.session.scalar(select(func.count()).select_from(MediaItem))
        keys = db.session.scalar(select(func.count(func.distinct(MediaItem.rating_key))))
        print(
            f"\nLibrary sync: {KILLS} kills, runs {dict(runs)}, {items} items for {expected} on "
            f"Plex, {time.monotonic() - started:.1f} s, worker up in {max(took):.1f} s at most"
        )
        assert items == keys == expected
        assert runs["running"] == 0  # the killed runs are closed, not left "running"


@pytest.mark.timeout(900)  # twenty workers started and killed, on a busy machine
def test_a_download_killed_twenty_times_ends_with_one_file_per_video(
    make_app, monkeypatch, tmp_path
):
    monkeypatch.setenv("MEDIANEST_DOWNLOAD_LEASE_SECONDS", "3")
    app = make_app(DOWNLOAD_LEASE_SECONDS=3)
    site = started_site()
    try:
        with app.app_context():
            allow(site)
            site.state.switch(throttle=20_000)
            added = downloads.add(person(), f"{site.url}/feeds/pond.xml")
            download_id = added.download.id

        def fetching(worker) -> bool:
            db.session.expire_all()
            item = db.session.scalars(
                select(DownloadItem).where(DownloadItem.status == "running")
            ).first()
            if item is None or not downloads.live_progress([item.id]):
                return False
            return any(descendants(p) for p in descendants(worker.process.pid))

        def after_kill() -> None:
            time.sleep(3.1)  # the killed fetch's lease runs out; the sweeper takes it back
            from app.downloads import tasks

            tasks.sweep_downloads()

        with app.app_context():
            started = time.monotonic()
            took = kill_mid(app, fetching, after_kill)
            site.state.switch(throttle=0)
            final = WorkerProcess(app)
            final.wait_until_registered()
            try:
                download = settled(download_id, timeout=180)
            finally:
                final.stop()
            items = download.items
            root = tmp_path.joinpath(app.config["MEDIA_ROOT"] + "/youtube")
            videos = [f for f in files_under(root) if f.suffix == ".mp4"]
            print(
                f"\nDownload: {KILLS} kills, {len(videos)} files for {len(items)} videos, "
                f"attempts {sorted(i.attempts for i in items)}, "
                f"{time.monotonic() - started:.1f} s, worker up in {max(took):.1f} s at most"
            )
            assert download.status == "finished", [i.error for i in items]
            tags = sorted(v.name.rsplit("[", 1)[1] for v in videos)
            assert tags == sorted(set(tags)) and len(tags) == len(items)
    finally:
        site.stop()


def test_a_job_whose_worker_was_killed_here_can_be_queued_again_at_once(app):
    """RQ calls a killed worker's job "started" until its heartbeat runs out (a minute and
    more); on this machine its process is known to be gone, so its id is free again at once."""
    from rq.job import Job

    from app.jobs import enqueue

    worker = WorkerProcess(app)
    worker.wait_until_registered()
    with app.app_context(), contextlib.ExitStack() as cleanup:
        cleanup.callback(kill_hard, worker)
        first = enqueue("time.sleep", 60, job_id="sleepy")
        wait_for(lambda: first.get_status(refresh=True) == "started", timeout=30)
        assert enqueue("time.sleep", 60, job_id="sleepy").id == first.id  # still running: kept
        kill_hard(worker)
        assert Job.fetch("sleepy", connection=redis_conn()).get_status() == "started"
        again = enqueue("time.sleep", 1, job_id="sleepy")
        assert again.get_status(refresh=True) == "queued" and list(again.args) == [1]
