"""What the simulated video site holds: videos, playlists and a channel, with awkward titles.

Ids look like YouTube's (11 characters). Playlists and the channel are read as media RSS feeds,
the form yt-dlp's generic extractor lists as a playlist; the 5,000-video playlist is made on
demand from its position, so it costs nothing until read.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

BIG_COUNT = 5000
CHANNEL = "nestcam"


@dataclass(frozen=True)
class Video:
    video_id: str
    title: str
    uploaded: date
    uploader: str
    description: str = ""
    seconds: float = 2.5

    @property
    def upload_date(self) -> str:
        return self.uploaded.strftime("%Y%m%d")


@dataclass(frozen=True)
class Playlist:
    playlist_id: str
    title: str
    uploader: str
    video_ids: tuple[str, ...]
    description: str = ""


def _video(number: int, title: str, uploaded: date, uploader: str = "Nest Cam") -> Video:
    return Video(
        f"vs{number:09d}",
        title,
        uploaded,
        uploader,
        description=f"{title}\n\nFilmed for the MediaNest demo site.",
    )


def _videos() -> list[Video]:
    day = date(2025, 3, 1)
    titles = [
        "Top 10 S01E02: Garden birds",
        "Morning / evening: a comparison",
        "🎬 Behind the scenes ✨",
        'Quotes "and" <angles> & ampersands',
        "Episode 4 of 12 — the pond",
        "Nest box 2025-04-01 time-lapse",
        "Ünïcödé wäter & 日本語",
        "CON",
    ]
    return [_video(n + 1, title, day + timedelta(days=9 * n)) for n, title in enumerate(titles)]


@dataclass
class Catalog:
    videos: dict[str, Video] = field(default_factory=dict)
    playlists: dict[str, Playlist] = field(default_factory=dict)
    big_count: int = BIG_COUNT

    def __post_init__(self):
        if not self.videos:
            self.videos = {v.video_id: v for v in _videos()}
        if not self.playlists:
            ids = list(self.videos)
            self.playlists = {
                "top10": Playlist(
                    "top10", "Top 10 S01E02 / Best of 2025 🎬", "Nest Cam", tuple(ids[:4])
                ),
                "pond": Playlist("pond", "Pond life: part 1/2", "Nest Cam", tuple(ids[4:7])),
            }

    def video(self, video_id: str) -> Video | None:
        """A video by id, including the big playlist's."""
        if video_id in self.videos:
            return self.videos[video_id]
        number = _big_number(video_id)
        if number is None or not 1 <= number <= self.big_count:
            return None
        uploaded = date(2026, 1, 1) - timedelta(days=number)
        return Video(video_id, f"Big playlist video #{number}", uploaded, "Nest Cam Archive")

    def big(self) -> Playlist:
        ids = tuple(f"bg{n:09d}" for n in range(1, self.big_count + 1))
        return Playlist("big", f"Every nest, {self.big_count:,} videos", "Nest Cam Archive", ids)

    def channel(self) -> list[Video]:
        """The channel's videos, newest first (as a channel's feed lists them)."""
        return sorted(self.videos.values(), key=lambda v: v.uploaded, reverse=True)

    def variant(self, video_id: str, variants: int) -> int:
        """Which real file plays for this video."""
        return sum(video_id.encode()) % max(variants, 1)


def _big_number(video_id: str) -> int | None:
    if len(video_id) == 11 and video_id.startswith("bg") and video_id[2:].isdigit():
        return int(video_id[2:])
    return None
