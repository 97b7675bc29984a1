"""Finished downloads land in the simulated Plex: scanned, linked, and collected in order."""

import shutil
import subprocess
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from app import settings
from app.downloads import plex_publish
from app.extensions import db
from app.library import services as library_services
from app.models import Download, DownloadItem, MediaItem, Notification, User
from app.models.base import utcnow
from simulators import SimulatorServer
from simulators import plex_server as pms
from tests.conftest import wait_for

TOKEN = "owner-plex-token"
# (position in the playlist, video id, upload date, title): the playlist is not in date order.
PLAYLIST = [
    (1, "vid-c", "20240307", "Third upload"),
    (2, "vid-a", "20240301", "First upload"),
    (3, "vid-b", "20240305", "Second upload"),
]


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
def media(tmp_path):
    return tmp_path / "media"


@pytest.fixture
def app(make_app, media):
    # The worker process reads the YouTube folder from MEDIANEST_MEDIA_ROOT.
    return make_app(MEDIA_ROOT=str(media), PLEX_SCAN_RETRY_SECONDS=60.0)


@pytest.fixture
def plex(media):
    youtube = media / "youtube"
    youtube.mkdir(parents=True)
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    state.add_library("TV Shows", "show", count=2)
    library = state.add_folder_library("YouTube", youtube)
    with SimulatorServer(pms.create_app(state)) as server:
        yield SimpleNamespace(state=state, url=server.url, library=library, youtube=youtube)


@pytest.fixture
def setup(app, plex):
    with app.app_context():
        settings.put(
            {
                "plex.server_url": plex.url,
                "plex.owner_token": TOKEN,
                "plex.machine_id": plex.state.machine_identifier,
                "downloads.library": "YouTube",
            }
        )
        owner = User(username="owner", role="admin")
        db.session.add(owner)
        db.session.commit()
        return owner.id


def place(plex, mp4, folder: str, video_id: str, date: str, title: str) -> str:
    """Put a finished video where the downloader puts it; return its path under the folder."""
    relative = f"{folder}/Season {date[:4]}/s{date[:4]}e{date[4:]}01 - {title} [{video_id}].mp4"
    (plex.youtube / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(mp4, plex.youtube / relative)
    return relative


def playlist(plex, mp4, user_id: int, videos=PLAYLIST, reused=()) -> int:
    download = Download(
        user_id=user_id,
        source_url="https://www.youtube.com/playlist?list=PL1",
        source_key="youtube:playlist:PL1",
        kind="playlist",
        title="My Playlist",
        folder="My Playlist",
        status="finished",
        total_items=len(videos) + len(reused),
    )
    # Reused videos were fetched before, for another channel, and stay in its folder.
    for folder, entries in (("My Playlist", videos), ("Other Channel", reused)):
        for position, video_id, date, title in entries:
            download.items.append(
                DownloadItem(
                    position=position,
                    extractor="youtube",
                    video_id=video_id,
                    url=f"https://youtu.be/{video_id}",
                    title=title,
                    upload_date=date,
                    status="finished",
                    reused=folder != "My Playlist",
                    file_path=place(plex, mp4, folder, video_id, date, title),
                )
            )
    db.session.add(download)
    db.session.flush()
    plex_publish.request_publish(download)
    db.session.commit()
    return download.id


def collection_titles(plex) -> list[list[str]]:
    library = plex.library
    return [
        [library.member_node(m)[1]["title"] for m in library.collection_members(n)]
        for n in range(len(library.collections))
    ]


def test_publish_links_the_episodes_and_collects_the_playlist_in_order(app, plex, setup, mp4):
    with app.app_context():
        reused = [(4, "vid-z", "20230101", "From elsewhere")]
        download_id = playlist(plex, mp4, setup, reused=reused)
        assert plex_publish.publish_download(download_id) == "done"

        download = db.session.get(Download, download_id)
        assert download.plex_state == "done" and download.plex_error is None
        shows = {s.title: s.rating_key for s in plex.library.shows.values()}
        assert download.plex_show_key == str(shows["My Playlist"])
        episodes = {e["title"]: e["ratingKey"] for e in map(dict, _episodes(plex))}
        assert {i.video_id: i.plex_key for i in download.items} == {
            "vid-c": episodes["Third upload"],
            "vid-a": episodes["First upload"],
            "vid-b": episodes["Second upload"],
            "vid-z": episodes["From elsewhere"],
        }
        assert collection_titles(plex) == [
            ["Third upload", "First upload", "Second upload", "From elsewhere"]
        ]
        assert plex.library.collection_names == ("My Playlist",)
        assert download.plex_collection_key == plex.library.collection_key(0)
        scanned = sorted(path for _key, path in plex.state.refreshes)
        assert scanned == [str(plex.youtube / "My Playlist"), str(plex.youtube / "Other Channel")]

        # MediaNest's own library sync picks the show up, so the downloads page can link to it.
        assert library_services.full_sync()["status"] == "succeeded"
        show = db.session.scalar(
            select(MediaItem).where(MediaItem.rating_key == int(download.plex_show_key))
        )
        assert show is not None and show.title == "My Playlist" and show.type == "show"


def _episodes(plex):
    return [plex.library.node(*leaf)[1] for leaf in plex.library.leaves()]


def test_running_it_again_keeps_one_collection_holding_exactly_the_playlist(app, plex, setup, mp4):
    with app.app_context():
        download_id = playlist(plex, mp4, setup)
        assert plex_publish.publish_download(download_id) == "done"
        assert plex_publish.publish_download(download_id) == "skipped"  # nothing due

        download = db.session.get(Download, download_id)
        first_key = download.plex_collection_key
        gone = next(i for i in download.items if i.video_id == "vid-a")
        gone.status = "removed"  # retention deleted it
        (plex.youtube / gone.file_path).unlink()
        third, second = download.items[0], download.items[2]  # the playlist was reordered
        third.position = 10
        db.session.flush()
        second.position = 1
        db.session.flush()
        third.position = 3
        db.session.flush()
        plex_publish.request_publish(download)
        db.session.commit()
        assert plex_publish.publish_download(download_id) == "done"

        download = db.session.get(Download, download_id)
        assert download.plex_collection_key == first_key
        assert collection_titles(plex) == [["Second upload", "Third upload"]]


def test_plex_unreachable_keeps_the_files_and_retries_later(app, plex, setup, mp4):
    with app.app_context():
        download_id = playlist(plex, mp4, setup)
        plex.state.down = True
        assert plex_publish.publish_download(download_id) == "waiting"
        download = db.session.get(Download, download_id)
        assert download.plex_state == "waiting" and download.plex_attempts == 1
        assert "could not reach the Plex server" in download.plex_error
        wait = download.plex_due_at - utcnow()
        assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
        assert all((plex.youtube / i.file_path).is_file() for i in download.items)
        assert plex_publish.sweep_publish() == 0  # not due yet

        plex.state.down = False
        db.session.execute(update(Download).values(plex_due_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert plex_publish.sweep_publish() == 1
        assert plex_publish.sweep_publish() == 1  # the same job, not a second one
        assert plex_publish.publish_download(download_id) == "done"
        download = db.session.get(Download, download_id)
        assert download.plex_error is None and download.plex_collection_key


def test_after_ten_failed_tries_the_admins_are_told(app, plex, setup, mp4):
    with app.app_context():
        download_id = playlist(plex, mp4, setup)
        db.session.execute(update(Download).values(plex_attempts=9))
        db.session.commit()
        plex.state.down = True
        assert plex_publish.publish_download(download_id) == "failed"
        download = db.session.get(Download, download_id)
        assert download.plex_state == "failed" and download.plex_due_at is None
        note = db.session.scalar(select(Notification).where(Notification.user_id == setup))
        assert note.title == "A download could not be added to Plex"
        assert "My Playlist" in note.body and "files are kept" in note.body


def test_a_library_that_is_not_personal_media_is_explained(app, plex, setup, mp4):
    with app.app_context():
        settings.put({"downloads.library": "TV Shows"})
        download_id = playlist(plex, mp4, setup)
        assert plex_publish.publish_download(download_id) == "waiting"
        download = db.session.get(Download, download_id)
        assert "Personal Media Shows agent" in download.plex_error
        assert plex.state.refreshes == []


def test_a_slow_scan_is_waited_for_without_counting_as_a_failure(
    app, plex, setup, mp4, monkeypatch
):
    monkeypatch.setattr(plex_publish, "POLL_IN_JOB", 0.5)
    plex.state.scan_delay = 1.5
    with app.app_context():
        download_id = playlist(plex, mp4, setup)
        assert plex_publish.publish_download(download_id) == "waiting"
        download = db.session.get(Download, download_id)
        assert download.plex_attempts == 0 and download.plex_error is None
        assert download.plex_due_at - utcnow() <= timedelta(seconds=plex_publish.POLL_SECONDS)
        wait_for(lambda: len(plex.library.shows) == 1, timeout=5)
        db.session.execute(update(Download).values(plex_due_at=utcnow()))
        db.session.commit()
        assert plex_publish.publish_download(download_id) == "done"
        assert len(plex.state.refreshes) == 1  # looked again without asking for a second scan


def test_a_worker_publishes_after_the_commit(app, plex, setup, mp4, worker):
    with app.app_context():
        download_id = playlist(plex, mp4, setup)

        def landed():
            db.session.expire_all()
            return db.session.get(Download, download_id).plex_state == "done"

        wait_for(landed, timeout=30)
        assert collection_titles(plex) == [["Third upload", "First upload", "Second upload"]]
        count = db.session.scalar(select(func.count()).select_from(DownloadItem))
        linked = db.session.scalar(
            select(func.count()).select_from(DownloadItem).where(DownloadItem.plex_key.is_not(None))
        )
        assert linked == count == 3


def test_plex_is_asked_for_the_folder_where_it_sees_it(app, plex, setup, mp4):
    plex.library.location = "/srv/plex/youtube"  # another machine mounts the folder here
    with app.app_context():
        settings.put({"downloads.plex_path": "/srv/plex/youtube/"})
        download_id = playlist(plex, mp4, setup)
        assert plex_publish.publish_download(download_id) == "done"
        assert plex.state.refreshes == [("2", "/srv/plex/youtube/My Playlist")]
        assert all(i.plex_key for i in db.session.get(Download, download_id).items)
