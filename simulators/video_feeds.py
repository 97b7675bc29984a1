"""The pages of the simulated video site: media RSS feeds and watch pages.

yt-dlp's generic extractor reads an RSS 2.0 feed as a playlist: each item's <enclosure url> or
else its <link> is the entry's address, <guid> its id, <title> its title, <pubDate> its
timestamp, <itunes:duration> and <itunes:image href> its duration and thumbnail. Items link to
watch pages (media:content names the file, as media RSS does), so fetching an entry reads the
page's schema.org VideoObject: title, description, date, uploader, thumbnail and the file.
"""

import json
from datetime import UTC, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from simulators.video_catalog import Playlist, Video

NAMESPACES = (
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:atom="http://www.w3.org/2005/Atom"'
)


def _when(video: Video) -> datetime:
    return datetime.combine(video.uploaded, time(12, 0), tzinfo=UTC)


def _item(base: str, video: Video) -> str:
    watch, thumb = f"{base}/watch/{video.video_id}", f"{base}/thumbs/{video.video_id}.jpg"
    seconds = int(round(video.seconds))
    return (
        "<item>"
        f"<title>{escape(video.title)}</title>"
        f"<link>{escape(watch)}</link>"
        f'<guid isPermaLink="false">{video.video_id}</guid>'
        f"<pubDate>{format_datetime(_when(video))}</pubDate>"
        f"<description>{escape(video.description)}</description>"
        f"<itunes:duration>{seconds}</itunes:duration>"
        f"<itunes:image href={quoteattr(thumb)}/>"
        f'<media:thumbnail url={quoteattr(thumb)} width="640" height="360"/>'
        f"<media:content url={quoteattr(f'{base}/media/{video.video_id}.mp4')} "
        f'type="video/mp4" medium="video" duration="{seconds}"/>'
        "</item>"
    )


def feed(base: str, playlist: Playlist, videos: list[Video], self_url: str) -> bytes:
    """An RSS 2.0 feed of these videos, in the order given."""
    image = f"{base}/art/{playlist.playlist_id}.jpg"
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" {NAMESPACES}><channel>'
        f"<title>{escape(playlist.title)}</title>"
        f"<link>{escape(base)}/</link>"
        f"<description>{escape(playlist.description or playlist.title)}</description>"
        f'<atom:link href={quoteattr(self_url)} rel="self" type="application/rss+xml"/>'
        f"<itunes:author>{escape(playlist.uploader)}</itunes:author>"
        f"<itunes:image href={quoteattr(image)}/>"
        f"<image><url>{escape(image)}</url><title>{escape(playlist.title)}</title>"
        f"<link>{escape(base)}/</link></image>"
    )
    items = "".join(_item(base, video) for video in videos)
    return (head + items + "</channel></rss>\n").encode()


def watch_page(base: str, video: Video, size: int, width: int, height: int) -> str:
    """A video's page: its schema.org VideoObject and Open Graph tags."""
    content = f"{base}/media/{video.video_id}.mp4"
    thumb = f"{base}/thumbs/{video.video_id}.jpg"
    data = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": video.title,
        "description": video.description,
        "uploadDate": _when(video).isoformat(),
        "thumbnailUrl": [thumb],
        "contentUrl": content,
        "encodingFormat": "video/mp4",
        "contentSize": str(size),
        "duration": f"PT{int(round(video.seconds))}S",
        "width": width,
        "height": height,
        "author": {"@type": "Person", "name": video.uploader},
    }
    # "</" inside a script would end it early; JSON allows the escaped form.
    ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    title = escape(video.title)
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        f'<meta property="og:title" content={quoteattr(video.title)}>'
        f'<meta property="og:image" content={quoteattr(thumb)}>'
        f'<script type="application/ld+json">{ld}</script>'
        f"</head><body><h1>{title}</h1><p>{escape(video.uploader)}</p></body></html>"
    )
