"""Demo mode's "try one of these" addresses on the simulated video site."""

import logging

log = logging.getLogger(__name__)


def _pair(link) -> tuple[str, str] | None:
    """(label, address) from whatever shape the video site gives a link in."""
    if isinstance(link, str):
        return link, link
    if isinstance(link, dict):
        url = link.get("url") or link.get("href")
        label = link.get("label") or link.get("title") or url
    elif isinstance(link, tuple | list) and len(link) == 2:
        label, url = link
    else:
        label = getattr(link, "label", None) or getattr(link, "title", None)
        url = getattr(link, "url", None)
    return (str(label), str(url)) if url else None


def demo_links(base_url: str) -> list[tuple[str, str]] | None:
    """The demo's links (a playlist feed, a channel, a video), [] when the site lists none yet,
    None outside demo mode."""
    if not base_url:
        return None
    try:
        from simulators.video_source import demo_links as listed

        links = listed(base_url)
    except (ImportError, AttributeError, NotImplementedError):
        return []
    except Exception:  # a demo helper's bug must not take the Downloads page down
        log.exception("The demo video site's links could not be listed")
        return []
    return [pair for pair in map(_pair, links or ()) if pair]
