"""What the Downloads pages show of a download: its cards, counts, words and live progress."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.downloads import quotas, services
from app.extensions import db
from app.models import Download, DownloadItem, MediaItem
from app.models.downloads import (
    CANCELLED,
    FAILED,
    FINISHED,
    PARTIAL,
    QUEUED,
    REMOVED,
    RUNNING,
    SKIPPED,
)

STATUS_WORDS = {
    QUEUED: "Waiting",
    RUNNING: "Downloading",
    FINISHED: "Done",
    FAILED: "Failed",
    CANCELLED: "Cancelled",
    SKIPPED: "Skipped",
    REMOVED: "Removed",
    PARTIAL: "Partly done",
}
TONES = {FINISHED: "badge-ok", FAILED: "badge-bad", PARTIAL: "badge-bad", RUNNING: "badge-busy"}
KIND_WORDS = {"video": "Video", "playlist": "Playlist", "channel": "Channel"}
DONE = (FINISHED, SKIPPED)
RETRYABLE = (FAILED, CANCELLED)


@dataclass
class Card:
    """One download as its card and header show it."""

    download: Download
    done: int = 0
    failed: int = 0
    live: dict | None = None  # the latest progress of a video running now
    library_key: int | None = None  # the show in our library, once synced

    @property
    def active(self) -> bool:
        return self.download.status in (QUEUED, RUNNING)

    @property
    def can_retry(self) -> bool:
        return self.failed > 0 or self.download.status in RETRYABLE


def cards(downloads: list[Download]) -> list[Card]:
    """Cards for these downloads with three queries, however many there are."""
    ids = [d.id for d in downloads]
    if not ids:
        return []
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(DownloadItem.download_id, DownloadItem.status, func.count())
        .where(DownloadItem.download_id.in_(ids))
        .group_by(DownloadItem.download_id, DownloadItem.status)
    )
    for download_id, status, count in rows:
        counts.setdefault(download_id, {})[status] = count
    running = dict(
        db.session.execute(
            select(DownloadItem.download_id, func.max(DownloadItem.id))
            .where(DownloadItem.download_id.in_(ids), DownloadItem.status == RUNNING)
            .group_by(DownloadItem.download_id)
        ).all()
    )
    live = services.live_progress(list(running.values())) if running else {}
    keys = library_keys(downloads)
    return [
        Card(
            d,
            done=sum(counts.get(d.id, {}).get(s, 0) for s in DONE),
            failed=sum(counts.get(d.id, {}).get(s, 0) for s in RETRYABLE),
            live=live.get(running.get(d.id)),
            library_key=keys.get(d.id),
        )
        for d in downloads
    ]


def card(download: Download) -> Card:
    return cards([download])[0]


def library_keys(downloads: list[Download]) -> dict[int, int]:
    """{download id: the show's rating key} for downloads whose show is in our library."""
    wanted = {}
    for d in downloads:
        key = (d.plex_show_key or "").strip()
        if key.isascii() and key.isdigit() and len(key) < 19:
            wanted[d.id] = int(key)
    if not wanted:
        return {}
    present = set(
        db.session.scalars(
            select(MediaItem.rating_key).where(
                MediaItem.rating_key.in_(set(wanted.values())), MediaItem.removed_at.is_(None)
            )
        )
    )
    return {d_id: key for d_id, key in wanted.items() if key in present}


def plex_words(download: Download) -> str | None:
    """Where the download stands with Plex, in words (None before a video finished)."""
    state = download.plex_state
    if state is None:
        return None
    if state == "done":
        return "In Plex"
    if state == "failed":
        return "Plex could not take it" + (
            f": {download.plex_error}" if download.plex_error else ""
        )
    if download.plex_error and download.plex_due_at is not None:
        # Plex may be down, or not set up yet: the error says which, in words.
        at = download.plex_due_at.strftime("%H:%M")
        return f"Not in Plex yet, retrying at {at} UTC: {download.plex_error}"
    return "Waiting for Plex to scan"


def size_words(count: float | None) -> str:
    if count is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return ""


def speed_words(speed) -> str:
    return f"{size_words(float(speed))}/s" if isinstance(speed, int | float) and speed > 0 else ""


def time_words(seconds) -> str:
    """1:05:09, 4:03 or 0:09, for an ETA or a duration."""
    if not isinstance(seconds, int | float) or seconds < 0:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(live: dict | None) -> str:
    """'42% · 1.2 MB/s · 0:35 left' from a progress event."""
    if not live:
        return ""
    parts = [f"{pct_of(live):.0f}%"]
    if live.get("phase") == "processing":
        parts.append("adding tags and cover")
    if speed := speed_words(live.get("speed")):
        parts.append(speed)
    if (eta := time_words(live.get("eta"))) and live.get("eta"):
        parts.append(f"{eta} left")
    return " · ".join(parts)


def whole(live: dict | None) -> dict | None:
    """A video's progress event as its download's bar shows it: the download's percent."""
    if not live:
        return live
    overall = live.get("download_pct")
    return {**live, "pct": overall} if isinstance(overall, int | float) else live


def pct_of(live: dict | None) -> float:
    try:
        pct = float((live or {}).get("pct") or 0)
    except (TypeError, ValueError):
        return 0.0
    return min(max(pct, 0.0), 100.0) if pct == pct else 0.0


def quota_line(quota) -> str:
    """'3 of 20 videos today · 1.2 of 50 GB'."""
    if quota is None:
        return ""
    noun = "video" if quota.videos_limit == 1 else "videos"
    if quota.videos_limit is None:
        videos = f"{quota.videos_today} video{'s' if quota.videos_today != 1 else ''} today"
    else:
        videos = f"{quota.videos_today} of {quota.videos_limit} {noun} today"
    used = quota.bytes_used / quotas.GB
    if quota.bytes_limit is None:
        storage = f"{used:.1f} GB kept, no storage cap"
    else:
        storage = f"{used:.1f} of {quota.bytes_limit / quotas.GB:g} GB"
    return f"{videos} · {storage}"


def person_quota_line(user) -> str:
    """The quota line for this person; admins are not held to the limits, so none are shown."""
    quota = quotas.quota(user)
    if not user.is_admin:
        return quota_line(quota)
    videos = f"{quota.videos_today} video{'s' if quota.videos_today != 1 else ''} today"
    used = quota.bytes_used / quotas.GB
    return f"{videos} · {used:.1f} GB kept · admins have no download limits"


def can_change(download: Download) -> bool:
    """Whether the signed-in person may cancel or retry it (watchers only watch)."""
    from flask_login import current_user

    return services.can_change(current_user, download)


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def status_tone(status: str) -> str:
    return TONES.get(status, "badge-none")


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)
