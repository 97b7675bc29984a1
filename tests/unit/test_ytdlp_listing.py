"""Flat listings become previews; the child's network guard tells inside from outside."""

import pytest

from app.integrations import ytdlp
from app.integrations.ytdlp_child import inside, named

CHANNEL_ID = "UCuAXFkgsw1L7xaCfnd5JJOw"


def youtube_row(n: int) -> dict:
    """An entry as the child passes on yt-dlp's flat YouTube listing."""
    return {
        "id": f"dQw4w9WgX{n:02d}",
        "url": f"https://www.youtube.com/watch?v=dQw4w9WgX{n:02d}",
        "title": f"Video {n}",
        "uploader": None,
        "channel": "Rick Astley",
        "timestamp": None,
        "upload_date": None,
        "duration": 212.0,
        "ie_key": "Youtube",
        "thumbnail": f"https://i.ytimg.com/vi/dQw4w9WgX{n:02d}/hqdefault.jpg",
    }


def youtube_listing(kind: str, rows: int, count: int | None) -> dict:
    ident = CHANNEL_ID if kind == "channel" else "PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI"
    return {
        "_type": "playlist",
        "id": ident,
        "title": "Rick Astley - Videos" if kind == "channel" else "Greatest hits",
        "channel": "Rick Astley",
        "channel_id": CHANNEL_ID,
        "uploader": "Rick Astley",
        "playlist_count": count,
        "extractor_key": "YoutubeTab",
        "webpage_url": f"https://www.youtube.com/channel/{CHANNEL_ID}/videos"
        if kind == "channel"
        else f"https://www.youtube.com/playlist?list={ident}",
        "thumbnail": None,
        "entries": [youtube_row(n) for n in range(1, rows + 1)],
    }


def test_a_youtube_channel_is_keyed_by_its_channel_id():
    found = ytdlp.build_preview(youtube_listing("channel", 3, None), "https://youtube.com/@x", 1, 2)
    assert found.kind == "channel" and found.source_key == f"youtube:channel:{CHANNEL_ID}"
    assert found.has_more, "a third row came back"
    assert [e.video_id for e in found.entries] == ["dQw4w9WgX01", "dQw4w9WgX02"]
    first = found.entries[0]
    assert first.extractor == "youtube" and first.uploader == "Rick Astley"
    assert first.duration == 212 and first.upload_date is None


def test_a_youtube_playlist_says_its_count_and_when_the_last_page_is_reached():
    listing = youtube_listing("playlist", 2, 52)
    found = ytdlp.build_preview(listing, listing["webpage_url"], 2, 50)
    assert found.kind == "playlist" and found.count == 52 and not found.has_more
    assert found.source_key == "youtube:playlist:PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI"


def test_entries_without_an_id_are_left_out():
    listing = youtube_listing("playlist", 2, 2)
    listing["entries"][1]["id"] = None
    found = ytdlp.build_preview(listing, listing["webpage_url"], 1, 50)
    assert [e.title for e in found.entries] == ["Video 1"]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.1.10", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:127.0.0.1", True),
        ("100.64.0.1", True),
        ("142.250.74.46", False),
        ("2a00:1450:4001:82b::200e", False),
    ],
)
def test_inside_addresses_are_told_from_public_ones(address, expected):
    assert inside(address) is expected


@pytest.mark.parametrize(
    ("host", "port", "allowed", "expected"),
    [
        ("127.0.0.1", 8080, ["127.0.0.1:8080"], True),
        ("127.0.0.1", 8081, ["127.0.0.1:8080"], False),
        ("localhost", 8080, ["127.0.0.1:8080"], False),
        ("media.home.lan", 443, ["home.lan"], True),
        ("evilhome.lan", 443, ["home.lan"], False),
        ("NAS.local", 80, ["nas.local"], True),
        ("nas.local", None, ["nas.local:80"], False),
    ],
)
def test_only_hosts_the_admin_named_may_be_inside(host, port, allowed, expected):
    assert named(host, port, allowed) is expected
