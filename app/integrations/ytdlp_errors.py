"""What went wrong, from yt-dlp's own words: its messages are the only account it gives.

The messages come from the sites (YouTube's playability reasons) and from yt-dlp's networking
layer; they are matched in lower case with typographic apostrophes made plain, most specific
first (a bot check mentions signing in, as an age check does).
"""

import errno as errnos
import re

from app.integrations import ytdlp_child

# (code, patterns): the first code with a matching pattern wins.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refused", (ytdlp_child.REFUSED_WORDS,)),
    ("disk_full", (r"no space left on device", r"\[errno 28\]", r"disk quota exceeded")),
    ("bot_check", (r"confirm you('| a)re not a bot", r"not a robot")),
    (
        "age_restricted",
        (r"confirm your age", r"age[- ]restricted", r"inappropriate for some users"),
    ),
    (
        "members_only",
        (r"members[- ]only", r"join this channel", r"available to this channel's members"),
    ),
    ("private", (r"private video", r"this video is private", r"video is private")),
    (
        "removed",
        (
            r"video unavailable",
            r"has been removed",
            r"no longer available",
            r"http error 40[4]\b",
            r"http error 410\b",
            r"does not exist",
            r"this video is not available",
        ),
    ),
    ("unsupported", (r"unsupported url", r"is not a valid url", r"no video formats found")),
    (
        "network",
        (
            r"urlopen error",
            r"timed out",
            r"connection (refused|reset|aborted)",
            r"http error 5\d\d\b",
            r"http error 429\b",
            r"name or service not known",
            r"temporary failure in name resolution",
            r"network is unreachable",
            r"no route to host",
            r"incompleteread",
            r"content too short",
            r"did not get any data blocks",
            r"bytes read, \d+ more expected",
            r"giving up after \d+ retries",
            r"remote end closed connection",
            r"connection broken",
            r"transporterror",
        ),
    ),
)


def classify(message: str, errno: int | None = None) -> str:
    """The FetchError code for one of yt-dlp's messages (and the errno beneath it, if any)."""
    if errno == errnos.ENOSPC or errno == errnos.EDQUOT:
        return "disk_full"
    text = (message or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    for code, patterns in RULES:
        if any(re.search(pattern, text) for pattern in patterns):
            return code
    return "other"


def short_reason(message: str) -> str:
    """yt-dlp's message without its "ERROR: [extractor] id:" lead and its advice links."""
    text = re.sub(r"^(ERROR:\s*)?(\[[^\]]+\]\s*)?([\w-]+:\s+)?", "", (message or "").strip())
    text = re.split(r"\s+(See|Use --)\s", text)[0]
    return text[:300]
