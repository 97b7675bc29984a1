"""Fixtures for uploads going into Plex: a small real video, a media folder, and a simulated
Plex server with a Home Videos folder library over it."""

import shutil
import subprocess
from types import SimpleNamespace

import pytest

from app import settings
from app.extensions import db
from app.models.uploads import READY, VIDEO, Upload
from app.uploads import storage
from simulators import SimulatorServer
from simulators import plex_server as pms

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
def media(tmp_path):
    return tmp_path / "media"


@pytest.fixture
def app(make_app, media):
    return make_app(MEDIA_ROOT=str(media))


@pytest.fixture
def plex(media):
    home = media / "home-videos"
    home.mkdir(parents=True)
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    state.add_library("Movies", "movie", count=2)
    library = state.add_folder_library("Home Videos", home)
    with SimulatorServer(pms.create_app(state)) as server:
        yield SimpleNamespace(state=state, url=server.url, library=library, home=home)


def connect(plex) -> None:
    """The owner's Plex server, with Home Videos as the uploads' library (in an app context)."""
    settings.put(
        {
            "plex.server_url": plex.url,
            "plex.owner_token": TOKEN,
            "plex.machine_id": plex.state.machine_identifier,
            "uploads.library": "Home Videos",
        }
    )


def ready_upload(user_id: int, mp4, name="beach.mp4") -> Upload:
    """A processed upload of mp4, ready to go to Plex (in an app context)."""
    row = Upload(
        key=storage.new_key(),
        user_id=user_id,
        filename=name,
        title=name.rsplit(".", 1)[0],
        size=mp4.stat().st_size,
        state=READY,
        kind=VIDEO,
        container="mp4",
        duration=1.0,
    )
    shutil.copy(mp4, storage.original_path(row))
    db.session.add(row)
    db.session.commit()
    return row
