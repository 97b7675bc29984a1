"""yt-dlp's real messages map to the failure a person is told about."""

import errno

import pytest

from app.integrations import ytdlp
from app.integrations.ytdlp_errors import classify, short_reason

ID = "ERROR: [youtube] dQw4w9WgXcQ: "
MESSAGES = [
    (ID + "Private video. Sign in if you've been granted access to this video", ytdlp.PRIVATE),
    (ID + "Video unavailable. This video is private", ytdlp.PRIVATE),
    (ID + "Video unavailable. This video has been removed by the uploader", ytdlp.REMOVED),
    (
        ID + "Video unavailable. This video is no longer available because the YouTube account "
        "associated with this video has been terminated.",
        ytdlp.REMOVED,
    ),
    (ID + "Video unavailable", ytdlp.REMOVED),
    (
        "ERROR: [generic] nope: Unable to download webpage: HTTP Error 404: Not Found "
        "(caused by <HTTPError 404: Not Found>)",
        ytdlp.REMOVED,
    ),
    ("ERROR: unable to download video data: HTTP Error 410: Gone", ytdlp.REMOVED),
    (
        ID + "Sign in to confirm your age. This video may be inappropriate for some users. "
        "Use --cookies-from-browser or --cookies for the authentication.",
        ytdlp.AGE,
    ),
    (
        ID + "Join this channel to get access to members-only content like this video, and other "
        "exclusive perks.",
        ytdlp.MEMBERS,
    ),
    (
        ID + "This video is available to this channel's members on level: Nest (or any higher "
        "level). Join this channel to get access to members-only content.",
        ytdlp.MEMBERS,
    ),
    (
        ID
        + "Sign in to confirm you\u2019re not a bot. Use --cookies-from-browser or --cookies for "
        "the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-"
        "cookies-to-yt-dlp  for how to manually pass cookies.",
        ytdlp.BOT,
    ),
    (ID + "Sign in to confirm you're not a bot. This helps protect our community.", ytdlp.BOT),
    ("ERROR: Unsupported URL: https://example.com/about", ytdlp.UNSUPPORTED),
    (
        "ERROR: [generic] x: Unable to download webpage: <urlopen error [Errno 111] Connection "
        "refused> (caused by TransportError('<urlopen error [Errno 111] Connection refused>'))",
        ytdlp.NETWORK,
    ),
    ("ERROR: [generic] x: Unable to download webpage: The read operation timed out", ytdlp.NETWORK),
    ("ERROR: unable to download video data: HTTP Error 503: Service Unavailable", ytdlp.NETWORK),
    (
        "ERROR: [download] Got error: 544 bytes read, 194792 more expected. Giving up after 10 "
        "retries",
        ytdlp.NETWORK,
    ),
    (
        "ERROR: [generic] x: Unable to download webpage: <urlopen error [Errno -3] Temporary "
        "failure in name resolution>",
        ytdlp.NETWORK,
    ),
    ("ERROR: unable to write data: [Errno 28] No space left on device", ytdlp.DISK),
    (
        "ERROR: [generic] top10: Unable to download webpage: [Errno 13] localhost points inside "
        "the network and was not named by an admin",
        ytdlp.REFUSED,
    ),
    (ID + "This live event will begin in a few moments.", ytdlp.OTHER),
]


@pytest.mark.parametrize(("message", "code"), MESSAGES)
def test_each_real_message_gets_its_code(message, code):
    assert classify(message) == code


def test_a_full_disk_is_known_by_its_errno_whatever_the_words():
    assert classify("OSError: write failed", errno.ENOSPC) == ytdlp.DISK


def test_every_code_has_words_for_people_and_only_network_and_other_are_retried():
    codes = {code for _, code in MESSAGES} | {ytdlp.CANCELLED}
    assert codes <= set(ytdlp.ERROR_WORDS)
    retried = {code for code in ytdlp.ERROR_WORDS if ytdlp.FetchError(code, "").retryable}
    assert retried == {ytdlp.NETWORK, ytdlp.OTHER}


def test_the_short_reason_drops_the_lead_and_the_advice():
    message = MESSAGES[-1][0]
    assert short_reason(message) == "This live event will begin in a few moments."
    assert short_reason(MESSAGES[10][0]).startswith("Sign in to confirm you\u2019re not a bot.")
    assert "github" not in short_reason(MESSAGES[10][0])


@pytest.mark.parametrize("quality", ytdlp.QUALITIES)
def test_every_quality_has_yt_dlp_options_that_embed_tags_and_cover(quality):
    args = ytdlp.format_args(quality)
    assert "--embed-metadata" in args and "--embed-thumbnail" in args
    if quality == "audio":
        assert args[args.index("--audio-format") + 1] == "m4a"
    else:
        assert args[args.index("--merge-output-format") + 1] == "mp4"
    if quality[:-1].isdigit():
        assert f"[height<=?{quality[:-1]}]" in args[args.index("-f") + 1]


def test_an_unknown_quality_is_refused_in_plain_words(tmp_path):
    spec = ytdlp.FetchSpec("https://example.com/v", "v", "8k", str(tmp_path / "s"), "/x.mp4")
    words = "Unknown quality '8k'; choose one of best"
    with pytest.raises(ytdlp.FetchError, match=words) as raised:
        ytdlp.fetch(spec, lambda _e: None, lambda: False)
    assert not raised.value.retryable


def test_the_version_is_yt_dlps_with_its_release_date():
    text, released = ytdlp.version()
    assert text.startswith(str(released.year)) and released.month >= 1
