"""A playlist from paste to Plex in the browser: live progress in two tabs, the files in the
Personal Media Shows layout with their tags, and a Plex collection in playlist order."""

import xml.etree.ElementTree as ET

import pytest
import requests
from playwright.sync_api import expect

from app import settings
from app.extensions import db
from app.models import Download
from simulators import SimulatorServer
from simulators import plex_server as pms
from simulators.video_catalog import Playlist
from tests.conftest import wait_for
from tests.e2e.conftest import PHONE, mark_page, same_document, screenshot
from tests.integration.download_helpers import allow, files_under, started_site
from tests.integration.ytdlp_helpers import probe

pytestmark = pytest.mark.browser

TOKEN = "owner-plex-token"
# Not in upload order, so a collection sorted by date would show it wrong.
ORDER = ("vs000000006", "vs000000001", "vs000000004")


@pytest.fixture
def media(tmp_path):
    return tmp_path / "media"


@pytest.fixture
def app(make_app, media):
    return make_app(MEDIA_ROOT=str(media))


@pytest.fixture
def site():
    server = started_site()
    server.state.catalog.playlists["mixed"] = Playlist("mixed", "Garden mix", "Nest Cam", ORDER)
    server.state.switch(throttle=80_000)  # slow enough to watch the bars move
    yield server
    server.stop()


@pytest.fixture
def plex(media):
    youtube = media / "youtube"
    youtube.mkdir(parents=True)
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    state.add_folder_library("YouTube", youtube)
    with SimulatorServer(pms.create_app(state)) as server:
        yield server


def plex_xml(plex, path: str) -> ET.Element:
    answer = requests.get(plex.url + path, headers={"X-Plex-Token": TOKEN}, timeout=5)
    answer.raise_for_status()
    return ET.fromstring(answer.content)


def collection_videos(plex) -> list[tuple[str, list[str]]]:
    """Each collection of the YouTube library: its title and its episodes' video ids in order."""
    found = []
    for collection in plex_xml(plex, "/library/sections/1/collections"):
        children = plex_xml(plex, f"/library/collections/{collection.get('ratingKey')}/children")
        files = [part.get("file") for part in children.iter("Part")]
        found.append((collection.get("title"), [f.rsplit("[", 1)[1][:-5] for f in files]))
    return found


def test_a_playlist_lands_in_plex_as_a_show_and_a_collection(
    app, live_server, open_page, sign_in, auth, site, plex, worker, media
):
    auth.owner()
    auth.create("alice")
    with app.app_context():
        allow(site)
        settings.put(
            {"plex.server_url": plex.url, "plex.owner_token": TOKEN, "downloads.library": "YouTube"}
        )
    tab = open_page()
    sign_in(tab, "alice")
    tab.get_by_role("link", name="Downloads", exact=True).click()
    tab.get_by_label("Addresses").fill(f"{site.url}/feeds/mixed.xml")
    tab.get_by_role("button", name="Preview").click()
    expect(tab.locator(".dl-preview")).to_contain_text("3 videos")
    tab.get_by_role("button", name="Download", exact=True).click()
    tab.wait_for_url("**/downloads/*")
    download_id = int(tab.url.rsplit("/", 1)[1])
    mark_page(tab)

    other = open_page(viewport=PHONE)
    sign_in(other, "alice")
    other.goto("/downloads")
    card = other.locator(f"#dl-{download_id}")
    mark_page(other)
    # The same download moves in both tabs, without a reload.
    expect(tab.locator(".dl-item .dl-progress small").first).to_contain_text("%", timeout=30_000)
    expect(card.locator(".dl-progress small")).to_contain_text("%", timeout=30_000)
    expect(tab.locator(f"#dl-{download_id}-head")).to_contain_text(
        "3 of 3 videos done", timeout=90_000
    )
    expect(card).to_contain_text("3 of 3 videos", timeout=10_000)
    expect(tab.locator("#toasts .toast").first).to_contain_text("Downloaded")
    assert same_document(tab) and same_document(other), "a page was reloaded"

    show = media / "youtube" / "Garden mix"
    videos = [f for f in files_under(show) if f.suffix == ".mp4"]
    assert len(videos) == 3
    for video in videos:
        assert video.parent.name == "Season 2025"
        assert video.name[:12].startswith("s2025e") and video.name[6:12].isdigit()
        tags = probe(str(video))["format"]["tags"]
        assert tags["title"] and tags.get("date", "").startswith("2025")
        assert any(
            s.get("disposition", {}).get("attached_pic") for s in probe(str(video))["streams"]
        )
    assert (show / "poster.jpg").is_file() and (show / "fanart.jpg").is_file()

    with app.app_context():

        def in_plex():
            db.session.expire_all()
            return db.session.get(Download, download_id).plex_state == "done"

        wait_for(in_plex, timeout=60)
    assert collection_videos(plex) == [("Garden mix", list(ORDER))]
    expect(tab.locator(f"#dl-{download_id}-head")).to_contain_text("In Plex", timeout=15_000)
    # Our own library syncs the new show, and the download links to it.
    # Our own library syncs the new show, and the open page links to it without a reload.
    opener = tab.locator("a", has_text="Open in library")
    expect(opener).to_be_visible(timeout=30_000)
    assert same_document(tab), "the page was reloaded"
    opener.first.click()
    tab.wait_for_url("**/library/item/*")
    expect(tab.locator("h1")).to_contain_text("Garden mix")
    screenshot(tab, "download-flow-in-library-1280")
    assert tab.problems.errors == [] and other.problems.errors == []
