"""Reading the Downloads forms: what was pasted, the quality and which items, checked in words."""

from dataclasses import dataclass, field

from app.downloads import selection
from app.downloads.urls import MAX_URL_LENGTH, MAX_URLS, split_urls
from app.integrations.ytdlp import QUALITIES

# Twenty addresses of the longest kind, with room for the spaces between them.
MAX_PASTE = MAX_URLS * (MAX_URL_LENGTH + 2)
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
    """Why a "which videos" answer cannot be read, or None for "all" and "1-10, 15"."""
    try:
        selection.parse(raw if isinstance(raw, str) else "")
    except selection.SelectionError as exc:
        return str(exc)
    return None


def page_of(raw) -> int:
    """A page of a preview: small positive numbers only, anything else the first page."""
    text = raw.strip() if isinstance(raw, str) else ""
    return max(1, int(text)) if text.isascii() and text.isdigit() and len(text) < 5 else 1
