"""ffprobe and ffmpeg on an upload: what it is (by its content, never its name), and the poster,
scrub strip and preview made from it by seeking to keyframes, never decoding the whole file.

Every output is written beside its final name and renamed into place, so a job killed halfway
leaves no half file under a name a page would serve.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.models.uploads import AUDIO, IMAGE, VIDEO

PROBE_SECONDS = 60
FRAME_SECONDS = 30
CONVERT_SECONDS = 6 * 3600
MIN_VIDEO_SECONDS = 1.0
POSTER_WIDTH = 640
SCRUB_WIDTH = 160
SCRUB_FRAMES = 12
PREVIEW_SECONDS = 6
DARK = 24  # mean luma (0-255) below which a frame counts as black

# ffprobe's format names -> the extension we store the file as
CONTAINERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": "mp4",
    "matroska,webm": "mkv",
    "avi": "avi",
    "mpegts": "ts",
    "mp3": "mp3",
    "flac": "flac",
    "wav": "wav",
    "ogg": "ogg",
    "image2": "jpg",
    "png_pipe": "png",
    "jpeg_pipe": "jpg",
    "webp_pipe": "webp",
    "heif": "heic",
}
IMAGE_CODECS = {"mjpeg": "jpg", "png": "png", "webp": "webp", "hevc": "heic", "gif": "gif"}
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "prores", "mjpeg"}
AUDIO_CODECS = {"aac", "mp3", "ac3", "eac3", "flac", "opus", "vorbis", "pcm_s16le", "pcm_s24le"}
# What Plex plays without converting, as most of its apps do.
DIRECT_VIDEO = {"h264", "hevc"}
DIRECT_AUDIO = {"aac", "mp3", "ac3", "eac3", ""}
DIRECT_CONTAINERS = {"mp4", "mkv"}


@dataclass(frozen=True)
class Probe:
    kind: str
    container: str
    duration: float | None
    width: int | None
    height: int | None
    video_codec: str
    audio_codec: str
    taken_at: datetime | None
    camera: str


class Refused(Exception):
    """The file is not something we accept; the message says why, in words."""


def _run(args: list[str], seconds: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        raise Refused("Reading the file took too long: it may be damaged.") from None


def _streams(path: Path) -> dict:
    if path.stat().st_size == 0:
        raise Refused("The file is empty.")
    done = _run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        PROBE_SECONDS,
    )
    try:
        found = json.loads(done.stdout or b"{}")
    except ValueError:
        found = {}
    if done.returncode != 0 or not found.get("streams"):
        raise Refused("This is not a video, audio or image file MediaNest can read.")
    return found


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None


def _taken(tags: dict) -> datetime | None:
    raw = tags.get("creation_time") or tags.get("com.apple.quicktime.creationdate") or ""
    try:
        when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC) if 1970 < when.year < 2200 else None


def _camera(tags: dict) -> str:
    make = tags.get("com.apple.quicktime.make") or tags.get("make") or ""
    model = tags.get("com.apple.quicktime.model") or tags.get("model") or ""
    words = " ".join(str(part).strip() for part in (make, model) if part)
    return "".join(c for c in words if c.isprintable())[:200]


def probe(path: Path) -> Probe:
    """What the file is; Refused (with the reason) when it is nothing we accept."""
    found = _streams(path)
    fmt = found.get("format") or {}
    streams = [s for s in found["streams"] if isinstance(s, dict)]
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = _number(fmt.get("duration"))
    tags = {str(k).lower(): v for k, v in (fmt.get("tags") or {}).items()}
    still = video is not None and (
        (video.get("disposition") or {}).get("attached_pic")
        or fmt.get("format_name", "") in ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "heif")
    )
    if video is not None and still and audio is None:
        kind, codec = IMAGE, str(video.get("codec_name", ""))
        container = IMAGE_CODECS.get(codec)
        if container is None:
            raise Refused(f"Images in {codec or 'this format'} are not accepted.")
    elif video is not None and not still:
        kind, codec = VIDEO, str(video.get("codec_name", ""))
        if codec not in VIDEO_CODECS:
            raise Refused(f"Videos in {codec or 'this format'} are not accepted.")
        if duration is None or duration < MIN_VIDEO_SECONDS:
            raise Refused("The video is too short: under a second.")
        container = CONTAINERS.get(fmt.get("format_name", ""), "")
    elif audio is not None:
        kind, codec = AUDIO, str(audio.get("codec_name", ""))
        if codec not in AUDIO_CODECS:
            raise Refused(f"Audio in {codec or 'this format'} is not accepted.")
        container = CONTAINERS.get(fmt.get("format_name", ""), "")
        if container == "mp4":
            container = "m4a"
    else:
        raise Refused("This is not a video, audio or image file MediaNest can read.")
    if not container:
        raise Refused(f"Files of the {fmt.get('format_name') or 'unknown'} kind are not accepted.")
    return Probe(
        kind=kind,
        container=container,
        duration=duration if kind != IMAGE else None,
        width=int(video["width"]) if video and _number(video.get("width")) else None,
        height=int(video["height"]) if video and _number(video.get("height")) else None,
        video_codec=str(video.get("codec_name", ""))[:32] if video and kind == VIDEO else "",
        audio_codec=str(audio.get("codec_name", ""))[:32] if audio else "",
        taken_at=_taken(tags),
        camera=_camera(tags),
    )


def check_decodes(path: Path, found: Probe) -> None:
    """A video whose header reads but whose frames do not (cut off, damaged) is refused."""
    if found.kind != VIDEO:
        return
    middle = max(0.0, (found.duration or 0) / 2 - 0.5)
    frame = _frame(path, middle, 64)
    if frame is None:
        raise Refused("The video is damaged: its pictures cannot be read.")
    done = _run(["ffmpeg", "-v", "error", "-sseof", "-1", "-i", str(path), "-f", "null", "-"], 60)
    if done.returncode != 0 or b"Invalid" in done.stderr or b"partial file" in done.stderr:
        raise Refused("The video is cut off or damaged: it ends before it should.")


def _frame(path: Path, at: float, width: int) -> bytes | None:
    """One grey frame at the keyframe before `at`, `width` pixels wide, as raw bytes."""
    done = _run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-skip_frame",
            "nokey",
            "-noaccurate_seek",
            "-ss",
            f"{at:.3f}",
            "-i",
            str(path),
        ]
        + ["-frames:v", "1", "-vf", f"scale={width}:-2,format=gray", "-f", "rawvideo", "-"],
        FRAME_SECONDS,
    )
    return done.stdout if done.returncode == 0 and done.stdout else None


def _temp(dest: Path) -> Path:
    return dest.with_name(f"{dest.stem}.tmp{dest.suffix}")


def _finish(args: list[str], dest: Path, seconds: float) -> bool:
    """Run ffmpeg writing to a temporary name; move it into place when it worked."""
    temp = _temp(dest)
    done = _run([*args, "-y", str(temp)], seconds)
    if done.returncode != 0 or not temp.exists() or temp.stat().st_size == 0:
        temp.unlink(missing_ok=True)
        if b"No space left" in done.stderr:
            raise OSError(28, "No space left on device")
        return False
    os.replace(temp, dest)
    return True


def poster_time(path: Path, found: Probe) -> float:
    """Where the poster comes from: the first of a few spots whose keyframe is not black."""
    duration = found.duration or 0
    spots = [duration * share for share in (0.1, 0.25, 0.5, 0.75)] or [0.0]
    for at in spots:
        frame = _frame(path, at, 64)
        if frame and sum(frame) / len(frame) > DARK:
            return at
    return spots[0]


def poster(path: Path, found: Probe, dest: Path) -> bool:
    at = poster_time(path, found) if found.kind == VIDEO else 0.0
    seek = (
        ["-skip_frame", "nokey", "-noaccurate_seek", "-ss", f"{at:.3f}"]
        if found.kind == VIDEO
        else []
    )
    return _finish(
        ["ffmpeg", "-v", "error", *seek, "-i", str(path), "-frames:v", "1"]
        + ["-vf", f"scale='min({POSTER_WIDTH},iw)':-2", "-q:v", "4", "-update", "1"],
        dest,
        FRAME_SECONDS,
    )


def scrub(path: Path, found: Probe, dest: Path) -> bool:
    """A strip of SCRUB_FRAMES small frames at evenly spaced keyframes, left to right."""
    duration = found.duration or 0
    frames = []
    for n in range(SCRUB_FRAMES):
        frame = _jpeg_frame(path, duration * (n + 0.5) / SCRUB_FRAMES, dest.parent, n)
        if frame is None and not frames:
            return False
        frames.append(frame or frames[-1])  # no keyframe there: the one before stands in
    inputs = [arg for frame in frames for arg in ("-i", str(frame))]
    try:
        return _finish(
            ["ffmpeg", "-v", "error", *inputs, "-filter_complex"]
            + [f"hstack=inputs={len(frames)}", "-frames:v", "1", "-q:v", "5", "-update", "1"],
            dest,
            FRAME_SECONDS,
        )
    finally:
        for frame in set(frames):
            frame.unlink(missing_ok=True)


def _jpeg_frame(path: Path, at: float, folder: Path, n: int) -> Path | None:
    out = folder / f"scrub{n:02d}.tmp.jpg"
    done = _run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-skip_frame",
            "nokey",
            "-noaccurate_seek",
            "-ss",
            f"{at:.3f}",
            "-i",
            str(path),
        ]
        + [
            "-frames:v",
            "1",
            "-vf",
            f"scale={SCRUB_WIDTH}:90:force_original_aspect_ratio=decrease,"
            f"pad={SCRUB_WIDTH}:90:(ow-iw)/2:(oh-ih)/2",
            "-q:v",
            "6",
            "-y",
            str(out),
        ],
        FRAME_SECONDS,
    )
    return out if done.returncode == 0 and out.exists() else None


def preview(path: Path, found: Probe, dest: Path) -> bool:
    """A short, small, silent clip from the middle, for the card's hover."""
    length = min(PREVIEW_SECONDS, found.duration or 0)
    start = max(0.0, (found.duration or 0) / 2 - length / 2)
    return _finish(
        ["ffmpeg", "-v", "error", "-ss", f"{start:.3f}", "-t", f"{length:.3f}", "-i", str(path)]
        + ["-an", "-vf", "scale=320:-2,fps=24", "-c:v", "libx264", "-preset", "veryfast"]
        + ["-crf", "30", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"],
        dest,
        120,
    )


def needs_conversion(found: Probe) -> bool:
    return found.kind == VIDEO and not (
        found.video_codec in DIRECT_VIDEO
        and found.audio_codec in DIRECT_AUDIO
        and found.container in DIRECT_CONTAINERS
    )


def convert(path: Path, dest: Path) -> bool:
    """Re-encode to H.264/AAC MP4, which every Plex app plays directly."""
    return _finish(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-map", "0:a:0?"]
        + ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", "-f", "mp4"],
        dest,
        CONVERT_SECONDS,
    )
