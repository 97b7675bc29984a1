"""Reading the Downloads forms: what was pasted, the quality and which items, checked in words."""

import re
from dataclasses import dataclass, field

from app.downloads.urls import MAX_URL_LENGTH, MAX_URLS, split_urls
from app.integrations.ytdlp import QUALITIES

# Twenty addresses of the longest kind, with room for the spaces between them.
MAX_PASTE = MAX_URLS * (MAX_URL_LENGTH + 2)
MAX_ITEMS_SPEC = 500
ITEMS_PART = re.compile(r"([0-9]{1,6})(?:\s*-\s*([0-9]{1,6}))?")
QUALITY_WORDS = {
    "best": "Best available",
    "2160p": "2160p (4K)",
    "1440p": "1440p",
    "1080p": "1080p",
    "720p": "720p",
    "480p": "480p",
    "360p": "360p",
    "audio": "Audio only",
}


@dataclass
class Paste:
    urls: list[str] = field(default_factory=list)
    error: str | None = None


def read_paste(raw) -> Paste:
    """The addresses in the paste box, or why they cannot be read."""
    text = raw if isinstance(raw, str) else ""
    if len(text) > MAX_PASTE:
        return Paste(error=f"That is too much text: paste at most {MAX_URLS} addresses at a time.")
    urls = split_urls(text)
    if not urls:
        return Paste(error="Paste the address of a video, a playlist or a channel.")
    if len(urls) > MAX_URLS:
        return Paste(error=f"That is {len(urls)} addresses: paste at most {MAX_URLS} at a time.")
    return Paste(urls=urls)


def quality_problem(raw) -> str | None:
    if raw in QUALITIES:
        return None
    return "Choose a quality from the list: " + ", ".join(QUALITY_WORDS.values()) + "."


def items_problem(raw) -> str | None:
    """Why a "which items" answer cannot be read, or None for "all" and "1-10, 15"."""
    text = (raw if isinstance(raw, str) else "").strip().lower()
    if text in ("", "all"):
        return None
    message = 'Write "all", or positions and ranges like "1-10, 15".'
    if len(text) > MAX_ITEMS_SPEC:
        return message
    for part in (p.strip() for p in text.split(",")):
        match = ITEMS_PART.fullmatch(part)
        if match is None:
            return message
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first < 1 or last < first:
            return "Positions start at 1, and a range goes from the lower to the higher one."
    return None


def page_of(raw) -> int:
    """A page of a preview: small positive numbers only, anything else the first page."""
    text = raw.strip() if isinstance(raw, str) else ""
    return max(1, int(text)) if text.isascii() and text.isdigit() and len(text) < 5 else 1
