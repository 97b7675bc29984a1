"""Previews and listings with the real yt-dlp against the loopback video site."""

import pytest

from app.integrations import ytdlp
from tests.integration import ytdlp_helpers
from tests.integration.ytdlp_helpers import video_site

# The module's video site, and the same with its switches off for one test.
site, fresh = ytdlp_helpers.site, ytdlp_helpers.fresh


def test_a_playlist_feed_previews_with_ids_titles_and_dates(site):
    found = ytdlp.preview(f"{site.url}/feeds/top10.xml", guard=site.guard)
    assert found.kind == "playlist"
    assert found.title == "Top 10 S01E02 / Best of 2025 🎬"
    assert found.source_key == f"generic:playlist:{site.url}/feeds/top10.xml"
    assert found.count == 4 and not found.has_more
    first = found.entries[0]
    assert first.video_id == "vs000000001"
    assert first.title == "Top 10 S01E02: Garden birds"
    assert first.upload_date == "20250301"
    assert first.url == f"{site.url}/watch/vs000000001"
    assert first.thumbnail == f"{site.url}/thumbs/vs000000001.jpg"
    assert [e.video_id for e in found.entries] == [f"vs00000000{n}" for n in (1, 2, 3, 4)]


def test_page_two_of_a_5000_video_playlist_is_that_page_only(site):
    found = ytdlp.preview(f"{site.url}/feeds/big.xml", page=2, page_size=50, guard=site.guard)
    assert found.count == 5000 and found.has_more and found.page == 2
    assert [e.video_id for e in found.entries] == [f"bg{n:09d}" for n in range(51, 101)]
    assert found.entries[0].title == "Big playlist video #51"


def test_the_last_page_of_a_playlist_says_there_is_no_more(site):
    found = ytdlp.preview(f"{site.url}/feeds/big.xml", page=100, page_size=50, guard=site.guard)
    assert len(found.entries) == 50 and not found.has_more


def test_a_channel_feed_is_a_channel_listed_newest_first(site):
    found = ytdlp.preview(f"{site.url}/channel/nestcam/feed.xml", guard=site.guard)
    assert found.kind == "channel"
    dates = [e.upload_date for e in found.entries]
    assert dates == sorted(dates, reverse=True) and len(dates) == 8


def test_a_single_video_previews_as_one_video_with_its_details(site):
    found = ytdlp.preview(f"{site.url}/watch/vs000000003", guard=site.guard)
    assert found.kind == "video" and found.count == 1 and not found.has_more
    assert found.source_key == "generic:video:vs000000003"
    assert found.title == "🎬 Behind the scenes ✨" and found.uploader == "Nest Cam"
    (video,) = found.entries
    assert video.upload_date == "20250319" and video.duration == 2


def test_list_entries_returns_the_positions_asked_for(site):
    url = f"{site.url}/feeds/big.xml"
    entries = ytdlp.list_entries(url, start=4999, end=None, guard=site.guard)
    assert [e.video_id for e in entries] == ["bg000004999", "bg000005000"]


def test_a_missing_video_is_reported_as_removed(fresh):
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.preview(f"{fresh.url}/watch/vs999999999", guard=fresh.guard)
    assert raised.value.code == ytdlp.REMOVED and not raised.value.retryable
    assert raised.value.message == ytdlp.ERROR_WORDS[ytdlp.REMOVED]


def test_a_name_that_resolves_to_loopback_is_refused_unless_named(site):
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.preview(f"http://localhost:{site.port}/feeds/top10.xml", guard=site.guard)
    assert raised.value.code == ytdlp.REFUSED
    assert "inside your network" in raised.value.message


def test_a_redirect_from_an_allowed_host_to_another_loopback_port_is_refused(site):
    with video_site() as other:
        target = f"{other.url}/watch/vs000000001"
        with pytest.raises(ytdlp.FetchError) as raised:
            ytdlp.preview(f"{site.url}/_redirect?to={target}", guard=site.guard)
        assert raised.value.code == ytdlp.REFUSED
        assert other.state.hits == [], "the other server was never reached"


def test_an_address_nothing_answers_at_is_a_network_error(site):
    guard = ytdlp.Guard(allowed_hosts=("127.0.0.1:9",), timeout=5)
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.preview("http://127.0.0.1:9/feeds/top10.xml", guard=guard)
    assert raised.value.code == ytdlp.NETWORK and raised.value.retryable
