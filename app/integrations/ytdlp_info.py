"""yt-dlp's answers read into the names MediaNest uses: sites, kinds, keys, dates, entries."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit


def site_of(info: dict) -> str:
    """The extractor's key as MediaNest names sites ("youtubetab" is still "youtube")."""
    key = (info.get("extractor_key") or info.get("ie_key") or "generic").lower()
    return "youtube" if key.startswith("youtube") else key


def kind_of(info: dict, url: str) -> str:
    if info.get("_type") not in ("playlist", "multi_video") and info.get("entries") is None:
        return "video"
    if info.get("channel_id") and info.get("id") == info.get("channel_id"):
        return "channel"
    path = urlsplit(info.get("webpage_url") or url).path
    return "channel" if re.search(r"/(@[^/]+|channel/|c/|user/)", path) else "playlist"


def source_id(info: dict, kind: str) -> str:
    """A channel is its channel id however it was reached (handle, /c/, /videos tab)."""
    return str((info.get("channel_id") if kind == "channel" else None) or info.get("id") or "")


def day_of(row: dict) -> str | None:
    if row.get("upload_date"):
        return row["upload_date"]
    if row.get("timestamp"):
        return datetime.fromtimestamp(row["timestamp"], UTC).strftime("%Y%m%d")
    return None


def entry_fields(row: dict, playlist: dict | None = None) -> dict:
    """An Entry's fields from a flat row (or from a single video's own answer)."""
    parent = playlist or row
    duration = row.get("duration")
    return dict(
        video_id=str(row.get("id") or ""),
        extractor=site_of(row if (row.get("ie_key") or row.get("extractor_key")) else parent),
        url=row.get("webpage_url") or row.get("url") or "",
        title=row.get("title") or "",
        uploader=row.get("uploader") or row.get("channel") or parent.get("uploader") or "",
        upload_date=day_of(row),
        duration=int(duration) if duration else None,
        thumbnail=thumbnail_of(row),
    )


def thumbnail_of(info: dict) -> str | None:
    if info.get("thumbnail"):
        return info["thumbnail"]
    thumbs = [t for t in info.get("thumbnails") or [] if t.get("url")]
    return thumbs[-1]["url"] if thumbs else None


def result_info(info: dict) -> dict:
    """What a finished video says of itself, with the names the rest of MediaNest reads."""
    return {
        "id": info.get("id"),
        "title": info.get("title") or "",
        "uploader": info.get("uploader") or info.get("channel") or "",
        "channel": info.get("channel") or info.get("uploader") or "",
        "channel_id": info.get("channel_id"),
        "upload_date": day_of(info),
        "description": info.get("description") or "",
        "duration": info.get("duration"),
        "thumbnail": info.get("thumbnail"),
        "webpage_url": info.get("webpage_url"),
        "extractor": site_of(info),
    }
