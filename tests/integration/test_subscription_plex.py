"""Retention reaches Plex: once a subscription's old files are deleted, the simulated Plex scans
the show folder again and no longer lists their episodes."""

import shutil
import subprocess
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app import settings
from app.downloads import setup, subscriptions
from app.extensions import db
from app.models import Download, DownloadItem, Subscription
from app.models.base import utcnow
from simulators import SimulatorServer
from simulators import plex_server as pms
from tests.conftest import wait_for

TOKEN = "owner-plex-token"


@pytest.fixture(scope="module")
def mp4(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=d=1:s=64x48:r=10"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(path)],
        check=True,
        timeout=60,
    )
    return path


@pytest.fixture
def app(make_app, tmp_path):
    # The worker process reads the YouTube folder from MEDIANEST_MEDIA_ROOT.
    return make_app(MEDIA_ROOT=str(tmp_path / "media"))


@pytest.fixture
def plex(app):
    with app.app_context():
        youtube = setup.youtube_dir()
    youtube.mkdir(parents=True)
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    library = state.add_folder_library("YouTube", youtube)
    with SimulatorServer(pms.create_app(state)) as server:
        with app.app_context():
            settings.put(
                {
                    "plex.server_url": server.url,
                    "plex.owner_token": TOKEN,
                    "plex.machine_id": state.machine_identifier,
                    "downloads.library": "YouTube",
                }
            )
        yield SimpleNamespace(state=state, library=library, youtube=youtube)


def _check_download(user_id, sub_id, youtube, mp4, video_id, day, title) -> int:
    """What one earlier check fetched: one video in the show's folder."""
    relative = f"Show/Season {day[:4]}/s{day[:4]}e{day[4:]}01 - {title} [{video_id}].mp4"
    (youtube / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(mp4, youtube / relative)
    download = Download(
        user_id=user_id,
        source_url="http://127.0.0.1:9/feed.xml",
        source_key="generic:show",
        kind="channel",
        title="Show",
        folder="Show",
        status="finished",
        total_items=1,
        subscription_id=sub_id,
        plex_state="done",
    )
    download.items = [
        DownloadItem(
            position=1,
            extractor="generic",
            video_id=video_id,
            url=f"http://127.0.0.1:9/{video_id}",
            title=title,
            upload_date=day,
            status="finished",
            file_path=relative,
        )
    ]
    db.session.add(download)
    db.session.flush()
    return download.id


def _episode_titles(plex) -> list[str]:
    return sorted(plex.library.node(*leaf)[1]["title"] for leaf in plex.library.leaves())


def test_plex_drops_the_episodes_retention_deleted(app, auth, plex, mp4, worker):
    alice = auth.create("alice")
    with app.app_context():
        sub = Subscription(
            user_id=alice,
            source_url="http://127.0.0.1:9/feed.xml",  # refused: the check fails, retention runs
            source_key="generic:show",
            kind="channel",
            title="Show",
            keep_newest=1,
            last_checked_at=utcnow() - timedelta(hours=6),
        )
        db.session.add(sub)
        db.session.flush()
        old = _check_download(alice, sub.id, plex.youtube, mp4, "old", "20250101", "Old one")
        _check_download(alice, sub.id, plex.youtube, mp4, "new", "20260101", "New one")
        db.session.commit()
        plex.library.scan()
        assert _episode_titles(plex) == ["New one", "Old one"]

        subscriptions.check_now(sub)
        wait_for(lambda: _episode_titles(plex) == ["New one"], timeout=60)
        db.session.expire_all()
        assert [i.status for i in db.session.get(Download, old).items] == ["removed"]
    assert not (plex.youtube / "Show/Season 2025").exists()
    assert (plex.youtube / "Show/Season 2026").is_dir()
