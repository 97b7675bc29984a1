"""Which addresses may be downloaded, and what each one names."""

import socket

import pytest

from app.downloads.urls import UrlRefused, check, is_inside, split_urls

VIDEO = "dQw4w9WgXcQ"
CHANNEL = "UC" + "a" * 22


def public(host, _port):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0))]


def inside(host, _port):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 0))]


@pytest.mark.parametrize(
    "url, kind, key",
    [
        (f"https://www.youtube.com/watch?v={VIDEO}", "video", f"youtube:video:{VIDEO}"),
        (f"youtube.com/watch?v={VIDEO}&t=10", "video", f"youtube:video:{VIDEO}"),
        (f"https://youtu.be/{VIDEO}?si=x", "video", f"youtube:video:{VIDEO}"),
        (f"https://www.youtube.com/shorts/{VIDEO}", "video", f"youtube:video:{VIDEO}"),
        (f"https://music.youtube.com/watch?v={VIDEO}", "video", f"youtube:video:{VIDEO}"),
        (
            "https://www.youtube.com/playlist?list=PLabc_123",
            "playlist",
            "youtube:playlist:PLabc_123",
        ),
        (
            "https://music.youtube.com/playlist?list=OLAK5uy_x",
            "playlist",
            "youtube:playlist:OLAK5uy_x",
        ),
        ("https://www.youtube.com/@SomeOne", "channel", "youtube:channel:@someone"),
        ("https://www.youtube.com/@SomeOne/videos", "channel", "youtube:channel:@someone"),
        (
            f"https://www.youtube.com/channel/{CHANNEL}",
            "channel",
            f"youtube:channel:channel/{CHANNEL.lower()}",
        ),
    ],
)
def test_youtube_addresses_are_read_for_what_they_name(url, kind, key):
    source = check(url)
    assert (source.kind, source.key, source.site) == (kind, key, "youtube")
    assert source.url.startswith("https://www.youtube.com/")


@pytest.mark.parametrize(
    "url, words",
    [
        ("file:///etc/passwd", "Only web addresses"),
        ("ftp://example.com/a.mp4", "Only web addresses"),
        ("javascript:alert(1)", "not a web address"),
        ("not a url", "not a web address"),
        ("https://vimeo.com/123", "not a site MediaNest downloads from"),
        ("https://www.youtube.com/watch?v=short", "does not name a video"),
        ("https://www.youtube.com/feed/trending", "not a video, a playlist or a channel"),
        ("https://user:pw@www.youtube.com/watch?v=" + VIDEO, "name and password"),
        ("https://" + "a" * 3000, "too long"),
        ("https://www.youtube.com/watch?v=\x00", "characters"),
    ],
)
def test_other_addresses_are_refused_in_words(url, words):
    with pytest.raises(UrlRefused, match=words):
        check(url)


def test_refusals_name_what_is_allowed():
    with pytest.raises(UrlRefused, match="allowed: YouTube and YouTube Music, and media.example"):
        check("https://vimeo.com/1", hosts=("media.example",))


def test_a_named_host_is_allowed_even_on_loopback_and_covers_its_port_only_when_named():
    assert check("http://127.0.0.1:8123/feed.rss", hosts=("127.0.0.1:8123",)).site == "generic"
    with pytest.raises(UrlRefused):
        check("http://127.0.0.1:9999/feed.rss", hosts=("127.0.0.1:8123",))
    assert check("https://cdn.media.example/a.mp4", hosts=("media.example",)).key.startswith(
        "generic:"
    )


def test_an_allowed_site_that_resolves_inside_the_network_is_refused():
    with pytest.raises(UrlRefused, match="points inside your network"):
        check("https://vimeo.com/76979871", sites=("vimeo",), resolve=inside)
    assert check("https://vimeo.com/76979871", sites=("vimeo",), resolve=public).site == "vimeo"


@pytest.mark.parametrize(
    "address, answer",
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("fd00::1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_inside_addresses(address, answer):
    assert is_inside(address) is answer


def test_a_paste_splits_into_distinct_addresses():
    assert split_urls(" a.tv\nb.tv, a.tv  c.tv\n") == ["a.tv", "b.tv", "c.tv"]
    assert split_urls("not a url\nyoutu.be/x") == ["not a url", "youtu.be/x"]
