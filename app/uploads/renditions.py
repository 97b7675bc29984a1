"""What processing makes from an upload: a poster, a strip of scrub thumbnails and a short silent
preview, each from keyframes it seeks to (the whole file is never decoded), and, for a video Plex
could not play directly, an H.264/AAC MP4 copy.

Every output is written beside its final name and renamed into place, so a job killed halfway
leaves no half file under a name a page would serve. A full disk raises OSError(ENOSPC).
"""

import errno
import os
from pathlib import Path

from app.models.uploads import VIDEO
from app.uploads.media import (
    AS_IS,
    FRAME_SECONDS,
    Probe,
    ffmpeg,
    grey_frame,
    keyframe_seek,
    run_tool,
)

PREVIEW_RUN_SECONDS = 120
CONVERT_SECONDS = 6 * 3600
POSTER_WIDTH = 640
SCRUB_WIDTH, SCRUB_HEIGHT = 160, 90
SCRUB_FRAMES = 12
PREVIEW_SECONDS = 6
PREVIEW_WIDTH = 320
DARK = 24  # mean luma (0-255) at or below which a frame counts as black
POSTER_SPOTS = (0.1, 0.25, 0.5, 0.75)  # shares of the duration tried for the poster
DIRECT_VIDEO = {"h264", "hevc"}
DIRECT_AUDIO = {"aac", "mp3", "ac3", "eac3", ""}
DIRECT_CONTAINERS = {"mp4", "mov", "mkv"}


def _temp(dest: Path) -> Path:
    return dest.with_name(f"{dest.stem}.tmp{dest.suffix}")


def _finish(args: list[str], dest: Path, seconds: float) -> bool:
    """Run ffmpeg writing to a temporary name; rename it into place when it worked."""
    temp = _temp(dest)
    done = run_tool([*args, "-y", str(temp)], seconds, refuse=False)
    if done.returncode != 0 or not temp.exists() or temp.stat().st_size == 0:
        temp.unlink(missing_ok=True)
        if b"No space left" in done.stderr:
            raise OSError(errno.ENOSPC, "No space left on device")
        return False
    os.replace(temp, dest)
    return True


def poster_time(src: Path, duration: float) -> float:
    """Where the poster comes from: the first of a few spots whose keyframe is not black."""
    spots = [duration * share for share in POSTER_SPOTS]
    for at in spots:
        frame = grey_frame(src, at, 32)
        if frame and sum(frame) / len(frame) > DARK:
            return at
    return spots[len(spots) // 2]


def poster(src: Path, dest: Path, duration: float | None = None) -> bool:
    """A JPEG at most POSTER_WIDTH wide: from a video (give its duration) a keyframe that is not
    black; from a picture, the picture scaled."""
    seek = keyframe_seek(poster_time(src, duration)) if duration else []
    return _finish(
        ffmpeg(*seek, "-i", str(src), "-map", "0:v:0", *AS_IS, "-frames:v", "1")
        + ["-vf", f"scale='min({POSTER_WIDTH},iw)':-2", "-q:v", "4", "-update", "1"],
        dest,
        FRAME_SECONDS,
    )


def scrub(src: Path, dest: Path, duration: float) -> bool:
    """A strip of SCRUB_FRAMES small frames at evenly spaced keyframes, left to right, each
    SCRUB_WIDTH x SCRUB_HEIGHT (letterboxed)."""
    spots = [duration * (n + 0.5) / SCRUB_FRAMES for n in range(SCRUB_FRAMES)]
    frames: list[Path] = []
    try:
        for n, at in enumerate(spots):
            frame = _scrub_frame(src, at, dest.with_name(f"{dest.stem}.tmp{n:02d}.jpg"))
            if frame is None and not frames:
                return False
            frames.append(frame or frames[-1])  # no picture there: the one before stands in
        inputs = [arg for frame in frames for arg in ("-i", str(frame))]
        return _finish(
            ffmpeg(*inputs, "-filter_complex", f"hstack=inputs={len(frames)}")
            + ["-frames:v", "1", "-q:v", "5", "-update", "1"],
            dest,
            FRAME_SECONDS,
        )
    finally:
        for frame in set(frames):
            frame.unlink(missing_ok=True)


def _scrub_frame(src: Path, at: float, out: Path) -> Path | None:
    box = f"{SCRUB_WIDTH}:{SCRUB_HEIGHT}"
    done = run_tool(
        ffmpeg(*keyframe_seek(at), "-i", str(src), "-map", "0:v:0", *AS_IS, "-frames:v", "1")
        + ["-vf", f"scale={box}:force_original_aspect_ratio=decrease,pad={box}:-1:-1,setsar=1"]
        + ["-q:v", "6", "-update", "1", "-y", str(out)],
        FRAME_SECONDS,
        refuse=False,
    )
    if b"No space left" in done.stderr:
        raise OSError(errno.ENOSPC, "No space left on device")
    return out if done.returncode == 0 and out.exists() and out.stat().st_size else None


def preview(src: Path, dest: Path, duration: float) -> bool:
    """A short (PREVIEW_SECONDS at most), small, silent H.264 clip from the middle."""
    length = min(PREVIEW_SECONDS, duration)
    start = max(0.0, duration / 2 - length / 2)
    return _finish(
        ffmpeg("-ss", f"{start:.3f}", "-t", f"{length:.3f}", "-i", str(src), "-map", "0:v:0")
        + ["-an", "-sn", "-dn", "-vf", f"scale={PREVIEW_WIDTH}:-2,fps=24"]
        + ["-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-pix_fmt", "yuv420p"]
        + ["-movflags", "+faststart", "-f", "mp4"],
        dest,
        PREVIEW_RUN_SECONDS,
    )


# -- converting ---------------------------------------------------------------------------------


def needs_conversion(found: Probe) -> bool:
    """Whether Plex would have to convert this video as it plays."""
    return found.kind == VIDEO and not (
        found.video_codec in DIRECT_VIDEO
        and found.audio_codec in DIRECT_AUDIO
        and found.container in DIRECT_CONTAINERS
    )


def convert(src: Path, dest: Path) -> bool:
    """Re-encode to H.264/AAC MP4, which every Plex app plays directly."""
    return _finish(
        ffmpeg("-i", str(src), "-map", "0:v:0", "-map", "0:a:0?", "-map_metadata", "0")
        + ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", "-f", "mp4"],
        dest,
        CONVERT_SECONDS,
    )
