"""The simulated video site answers as yt-dlp expects a real one to."""

import json
import re
import time
import xml.etree.ElementTree as ET

import pytest

from simulators import video_source
from simulators.registry import SIMULATORS
from simulators.video_source import VideoSourceState, create_app

MEDIA = "/media/vs000000001.mp4"


@pytest.fixture(scope="module")
def state():
    return VideoSourceState().prepare()


@pytest.fixture
def client(state):
    state.switch(reset=True)
    yield create_app(state).test_client()
    state.switch(reset=True)


def test_the_videos_are_real_short_h264_files_with_jpeg_thumbnails(state):
    assert len(state.media) == 3
    for media in state.media:
        assert media.video.read_bytes()[4:8] == b"ftyp" and 10_000 < media.size < 500_000
        assert media.thumbnail.read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_second_start_reuses_the_cached_files(state):
    again = VideoSourceState().prepare()
    assert [m.video for m in again.media] == [m.video for m in state.media]


def test_a_range_request_gets_that_part_of_the_file(client, state):
    size = state.media_for("vs000000001").size
    whole = client.get(MEDIA)
    assert whole.status_code == 200 and len(whole.data) == size
    part = client.get(MEDIA, headers={"Range": "bytes=100-"})
    assert part.status_code == 206 and part.data == whole.data[100:]
    assert part.headers["Content-Range"] == f"bytes 100-{size - 1}/{size}"
    assert client.get(MEDIA, headers={"Range": f"bytes={size}-"}).status_code == 416


def test_a_playlist_feed_is_rss_yt_dlp_reads_as_entries(client):
    feed = ET.fromstring(client.get("/feeds/top10.xml").data)
    assert feed.tag == "rss"
    assert feed.find("./channel/title").text == "Top 10 S01E02 / Best of 2025 🎬"
    items = feed.findall("./channel/item")
    assert len(items) == 4
    first = items[0]
    assert first.find("guid").text == "vs000000001"
    assert first.find("link").text.endswith("/watch/vs000000001")
    assert first.find("pubDate").text == "Sat, 01 Mar 2025 12:00:00 +0000"
    assert first.find("enclosure") is None, "the link, a watch page, is the entry's address"


def test_the_channel_feed_is_newest_first_and_the_big_feed_has_5000(client):
    channel = ET.fromstring(client.get("/channel/nestcam/feed.xml").data)
    titles = [item.find("title").text for item in channel.findall("./channel/item")]
    assert titles[0] == "CON" and titles[-1] == "Top 10 S01E02: Garden birds"
    big = ET.fromstring(client.get("/feeds/big.xml").data)
    assert len(big.findall("./channel/item")) == 5000


def test_a_watch_page_holds_a_schema_org_video_object(client):
    page = client.get("/watch/vs000000004").get_data(as_text=True)
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page).group(1))
    assert data["@type"] == "VideoObject"
    assert data["name"] == 'Quotes "and" <angles> & ampersands'
    assert data["contentUrl"].endswith("/media/vs000000004.mp4")
    assert data["uploadDate"].startswith("2025-03-28")


def test_fail_answers_the_status_for_one_video_or_all(client):
    client.post("/_switch", json={"fail": {"vs000000001": 410}})
    assert client.get(MEDIA).status_code == 410
    assert client.get("/watch/vs000000002").status_code == 200
    client.post("/_switch", json={"fail": {"*": 503}})
    assert client.get("/watch/vs000000002").status_code == 503


def test_a_one_time_cut_sends_part_of_the_file_then_closes(client, state):
    state.switch(cut=5000)
    cut = client.get(MEDIA)
    assert cut.headers["Connection"] == "close" and len(cut.data) == 5000
    assert int(cut.headers["Content-Length"]) > 5000
    assert len(client.get(MEDIA).data) > 5000, "only the next response was cut"


def test_throttle_paces_the_file(client, state):
    state.switch(throttle=50_000)
    began = time.monotonic()
    body = client.get(MEDIA, headers={"Range": "bytes=0-14999"}).data
    assert len(body) == 15_000 and time.monotonic() - began >= 0.25


def test_an_unknown_switch_is_refused_in_words(client):
    answer = client.post("/_switch", json={"explode": True})
    assert answer.status_code == 400 and "unknown switch" in answer.get_json()["error"]


def test_unknown_videos_and_playlists_are_404(client):
    for path in ("/watch/nope", "/media/nope.mp4", "/feeds/nope.xml", "/thumbs/nope.jpg"):
        assert client.get(path).status_code == 404


def test_demo_mode_lists_links_and_lets_medianest_reach_the_site():
    links = video_source.demo_links("http://127.0.0.1:5000/")
    assert [link["url"] for link in links[:3]] == [
        "http://127.0.0.1:5000/feeds/top10.xml",
        "http://127.0.0.1:5000/channel/nestcam/feed.xml",
        "http://127.0.0.1:5000/watch/vs000000003",
    ]
    (entry,) = [s for s in SIMULATORS if s.name == "video site"]
    assert entry.settings == {
        "MEDIANEST_DEMO_VIDEO_URL": "{url}",
        "MEDIANEST_DOWNLOAD_ALLOWED_HOSTS": "{host}",
    }
