"""Admin → Downloads with a Plex server: the library is chosen from its show libraries, each
checked, with what to change when one is not a Personal Media Shows library."""

import pytest

from app import settings
from simulators import SimulatorServer
from simulators import plex_server as pms
from tests.integration import download_page_helpers
from tests.integration.test_request_pages import text

people = download_page_helpers.people
TOKEN = "plex-owner-token"


@pytest.fixture
def plex(app, tmp_path, people):
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    state.add_library("TV Shows", "show", count=2)
    state.add_folder_library("YouTube", tmp_path / "youtube")
    with SimulatorServer(pms.create_app(state)) as server:
        with app.app_context():
            settings.put({"plex.server_url": server.url, "plex.owner_token": TOKEN})
        yield server


def test_the_show_libraries_are_offered_each_checked(client, auth, plex):
    auth.login()
    html = client.get("/admin/downloads").get_data(True)
    assert '<select id="library-choice" name="library"' in html
    assert "TV Shows (not a Personal Media Shows library)" in html
    assert ">YouTube</option>" in html


def test_choosing_a_library_that_is_not_personal_media_says_what_to_change(
    app, client, auth, plex, tmp_path
):
    auth.login()
    html = client.get("/admin/downloads").get_data(True)
    key = html.split('">TV Shows (not a Personal Media Shows library)')[0].rsplit('value="', 1)[1]
    form = {
        "youtube_dir": str(tmp_path / "youtube"),
        "plex_path": "",
        "library": key,
        "allowed_hosts": "",
        "allowed_sites": "",
        "quota_downloads": "20",
        "storage_gb": "50",
    }
    saved = client.post_form("/admin/downloads", form, page="/admin/downloads")
    page = text(client.get(saved.headers["Location"]))
    assert "Saved." in page and "not Personal Media Shows" in page
    with app.app_context():
        assert settings.get("downloads.library") == key
