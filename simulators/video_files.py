"""Small real videos and thumbnails for the video source simulator, made once with ffmpeg.

Files are cached in a folder named after the parameters, so a second start (or another test
process) finds them ready; each file is written under a temporary name and renamed into place,
so two processes starting at once never read half a file.
"""

import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Patterns ffmpeg's lavfi can draw, one per source file, so the files differ.
PATTERNS = ("testsrc", "testsrc2", "smptebars")


@dataclass(frozen=True)
class MediaSpec:
    seconds: float = 2.5
    width: int = 320
    height: int = 180
    variants: int = 3
    # For big files (the download benchmark): a target bitrate, and noise so x264 cannot
    # squeeze the picture below it.
    video_bitrate: str = ""
    noise: bool = False

    def key(self) -> str:
        return hashlib.sha1(repr(self).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class MediaFile:
    video: Path
    thumbnail: Path
    size: int


def cache_root() -> Path:
    base = os.environ.get("MEDIANEST_VIDEO_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(base or tempfile.gettempdir()) / "medianest-video-source"


def make_media(spec: MediaSpec = MediaSpec(), root: Path | None = None) -> list[MediaFile]:
    """The spec's video files and thumbnails, made now unless cached."""
    folder = (root or cache_root()) / spec.key()
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(spec.variants):
        video = folder / f"source{index}.mp4"
        thumbnail = folder / f"source{index}.jpg"
        if not video.is_file():
            _run_into(video, _video_args(spec, index))
        if not thumbnail.is_file():
            _run_into(thumbnail, _thumbnail_args(spec, index))
        made.append(MediaFile(video, thumbnail, video.stat().st_size))
    return made


def _video_args(spec: MediaSpec, index: int) -> list[str]:
    pattern = PATTERNS[index % len(PATTERNS)]
    size = f"{spec.width}x{spec.height}"
    rate = ["-b:v", spec.video_bitrate, "-maxrate", spec.video_bitrate, "-bufsize", "2M"]
    return [
        *("-f", "lavfi", "-i", f"{pattern}=size={size}:rate=25:duration={spec.seconds}"),
        *("-f", "lavfi", "-i", f"sine=frequency={330 + 110 * index}:duration={spec.seconds}"),
        *(("-vf", "noise=alls=40:allf=t+u") if spec.noise else ()),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
        *(rate if spec.video_bitrate else []),
        *("-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", "-f", "mp4"),
    ]


def _thumbnail_args(spec: MediaSpec, index: int) -> list[str]:
    pattern = PATTERNS[index % len(PATTERNS)]
    size = f"{spec.width * 2}x{spec.height * 2}"
    return ["-f", "lavfi", "-i", f"{pattern}=size={size}", "-frames:v", "1", "-f", "mjpeg"]


def _run_into(target: Path, args: list[str]) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args, str(partial)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def png_image(target: Path, width: int = 600, height: int = 900) -> Path:
    """A PNG picture (for show art that arrives in another format than JPEG)."""
    if not target.is_file():
        args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}", "-frames:v", "1"]
        _run_into(target, [*args, "-f", "image2", "-c:v", "png"])
    return target
