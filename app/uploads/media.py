"""ffprobe and ffmpeg on an upload: what it is, read from its content, never its name.

What processing makes from it (poster, scrub strip, preview, converted copy) is in renditions.
"""

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.models.uploads import AUDIO, IMAGE, VIDEO

PROBE_SECONDS = 60
FRAME_SECONDS = 30
MIN_VIDEO_SECONDS = 1.0

NOT_MEDIA = "This is not a video, audio or image file MediaNest can read."
NO_HEIF = (
    "MediaNest cannot read HEIC or HEIF pictures, an iPhone's own format. Send it as a JPEG: "
    "on the iPhone, Settings → Camera → Formats → Most Compatible, or export the photo."
)
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
CUT_OFF = "The file is cut off or damaged, so it cannot be played. Upload the whole file again."
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
    "aac": "aac",
    "png_pipe": "png",
    "jpeg_pipe": "jpg",
    "webp_pipe": "webp",
    "heif": "heic",
}
STILL_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "heif"}
IMAGE_CODECS = {"mjpeg": "jpg", "png": "png", "webp": "webp", "hevc": "heic"}
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "prores", "mjpeg"}
AUDIO_CODECS = {
    *("aac", "mp3", "ac3", "eac3", "flac", "opus", "vorbis", "alac"),
    *("pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8"),
}
WEBM_CODECS = {"vp8", "vp9", "av1", "opus", "vorbis", ""}
# What Plex's apps play directly, without Plex converting as it streams.
# Brands that name a camera in an encoder or handler tag when make and model are missing.
CAMERA_BRANDS = ("GoPro", "DJI", "Insta360", "Canon", "Sony", "Panasonic", "Nikon", "Garmin")


@dataclass(frozen=True)
class Probe:
    kind: str  # VIDEO, AUDIO or IMAGE
    container: str  # the extension to store it as
    duration: float | None
    width: int | None
    height: int | None
    video_codec: str
    audio_codec: str
    taken_at: datetime | None
    camera: str


@dataclass(frozen=True)
class Refusal:
    reason: str  # for the person who uploaded it


class Refused(Exception):
    """Raised inside this module; probe() turns it into a Refusal."""


def run_tool(args: list[str], seconds: float, refuse: bool = True) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            args, capture_output=True, timeout=seconds, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        if refuse:
            raise Refused("Reading the file took too long: it may be damaged.") from None
        return subprocess.CompletedProcess(args, -9, b"", b"timed out")


def ffmpeg(*args: str) -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", *args]


# -- what it is ---------------------------------------------------------------------------------


def probe(path: Path) -> Probe | Refusal:
    """What the file is, read from its content; a Refusal (with the reason) when we do not
    accept it: not media, empty, cut off or damaged, a video under a second, odd codecs."""
    try:
        found = _read(Path(path))
        if found.kind == VIDEO:
            _check_decodes(Path(path), found)
        return found
    except Refused as exc:
        return Refusal(str(exc))


def _streams(path: Path) -> dict:
    if path.stat().st_size == 0:
        raise Refused("The file is empty.")
    done = run_tool(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        PROBE_SECONDS,
    )
    try:
        found = json.loads(done.stdout or b"{}")
    except ValueError:
        found = {}
    if done.returncode != 0 or not found.get("streams"):
        raise Refused(_unreadable(path))
    return found


def _unreadable(path: Path) -> str:
    """Why ffprobe could not read it: a HEIF picture (which this ffmpeg cannot decode), a video
    container that is cut off, or not media at all."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return NO_HEIF
    if head[4:8] == b"ftyp" or head.startswith((b"\x1aE\xdf\xa3", b"RIFF", b"OggS")):
        return CUT_OFF
    return NOT_MEDIA


def _read(path: Path) -> Probe:
    found = _streams(path)
    fmt = found.get("format") or {}
    format_name = str(fmt.get("format_name", ""))
    streams = [s for s in found["streams"] if isinstance(s, dict)]
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    cover = video is not None and (video.get("disposition") or {}).get("attached_pic")
    if video is not None and (format_name in STILL_FORMATS or (cover and audio is None)):
        kind, container = IMAGE, _image_container(video)
    elif video is not None and not cover:
        kind, container = VIDEO, _video_container(fmt, video, audio)
    elif audio is not None:
        kind, container = AUDIO, _audio_container(fmt, audio)
        video = None  # cover art is not the picture of a video
    else:
        raise Refused(NOT_MEDIA)
    duration = _number(fmt.get("duration")) if kind != IMAGE else None
    if kind == VIDEO and (duration is None or duration < MIN_VIDEO_SECONDS):
        raise Refused("This is too short to be a video: it lasts under a second.")
    return Probe(
        kind=kind,
        container=container,
        duration=duration,
        width=_whole(video, "width"),
        height=_whole(video, "height"),
        video_codec=_codec(video) if kind == VIDEO else "",
        audio_codec=_codec(audio) if audio else "",
        taken_at=_taken(fmt, streams),
        camera=_camera(fmt, streams),
    )


def _codec(stream: dict | None) -> str:
    return str((stream or {}).get("codec_name", ""))[:32]


def _image_container(video: dict) -> str:
    codec = _codec(video)
    if codec not in IMAGE_CODECS:
        raise Refused(f"Pictures in the {codec or 'unknown'} format are not accepted.")
    return IMAGE_CODECS[codec]


def _video_container(fmt: dict, video: dict, audio: dict | None) -> str:
    codec = _codec(video)
    if codec not in VIDEO_CODECS:
        raise Refused(f"Videos in the {codec or 'unknown'} format are not accepted.")
    if audio is not None and _codec(audio) not in AUDIO_CODECS:
        raise Refused(f"Videos with {_codec(audio) or 'unknown'} sound are not accepted.")
    container = _container(fmt)
    if container == "mp4" and _tags(fmt).get("major_brand", "").strip() == "qt":
        return "mov"
    if container == "mkv" and {codec, _codec(audio)} <= WEBM_CODECS:
        return "webm"
    return container


def _audio_container(fmt: dict, audio: dict) -> str:
    codec = _codec(audio)
    if codec not in AUDIO_CODECS:
        raise Refused(f"Sound in the {codec or 'unknown'} format is not accepted.")
    container = _container(fmt)
    return {"mp4": "m4a", "mkv": "mka"}.get(container, container)


def _container(fmt: dict) -> str:
    name = str(fmt.get("format_name", ""))
    if name not in CONTAINERS:
        raise Refused(f"Files of the {name or 'unknown'} kind are not accepted.")
    return CONTAINERS[name]


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and 0 <= number < 10**9 else None  # not NaN


def _whole(stream: dict | None, name: str) -> int | None:
    number = _number((stream or {}).get(name))
    return int(number) if number else None


def _tags(holder: dict) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (holder.get("tags") or {}).items()}


def _all_tags(fmt: dict, streams: list[dict]) -> list[dict[str, str]]:
    return [_tags(fmt), *(_tags(s) for s in streams)]


def _taken(fmt: dict, streams: list[dict]) -> datetime | None:
    """When it was recorded, in UTC, from the file's own tags (the phone's first)."""
    names = ("com.apple.quicktime.creationdate", "creation_time", "date")
    for tags in _all_tags(fmt, streams):
        for name in names:
            when = _when(tags.get(name, ""))
            if when is not None:
                return when
    return None


def _when(raw: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC) if 1970 < when.year < 2200 else None  # 1904/1970: unset


def _camera(fmt: dict, streams: list[dict]) -> str:
    tags = _tags(fmt)
    make = tags.get("com.apple.quicktime.make") or tags.get("make") or ""
    make = make or tags.get("com.android.manufacturer", "")
    model = tags.get("com.apple.quicktime.model") or tags.get("model") or ""
    model = model or tags.get("com.android.model", "")
    if model.lower().startswith(make.lower()):
        make = ""  # "Canon" "Canon EOS R6" reads once
    words = " ".join(part.strip() for part in (make, model) if part.strip())
    if not words:
        words = _camera_in_encoder(_all_tags(fmt, streams))
    return "".join(c for c in words if c.isprintable())[:200]


def _camera_in_encoder(all_tags: list[dict[str, str]]) -> str:
    for tags in all_tags:
        for name in ("encoder", "handler_name"):
            value = tags.get(name, "")
            if any(brand.lower() in value.lower() for brand in CAMERA_BRANDS):
                return value.strip()
    return ""


def _check_decodes(path: Path, found: Probe) -> None:
    """A video whose header reads but whose pictures do not (cut off, damaged) is refused:
    one frame from the middle, and the last second, are decoded."""
    middle = max(0.0, (found.duration or 0) / 2 - 0.5)
    if grey_frame(path, middle, 16) is None:
        raise Refused(CUT_OFF)
    done = run_tool(ffmpeg("-sseof", "-1", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"), 60)
    damaged = (b"ended prematurely", b"partial file", b"Invalid data", b"corrupt")
    if done.returncode != 0 or any(words in done.stderr for words in damaged):
        raise Refused(CUT_OFF)


# -- pictures -----------------------------------------------------------------------------------


def keyframe_seek(at: float) -> list[str]:
    """Input-side seek to the keyframe at or before `at`: no frame before it is decoded."""
    return ["-skip_frame", "nokey", "-noaccurate_seek", "-ss", f"{at:.3f}"]


# Keep the keyframe although it comes before the spot asked for (ffmpeg would drop it).
AS_IS = ["-fps_mode", "passthrough"]


def grey_frame(path: Path, at: float, width: int) -> bytes | None:
    """The keyframe at or before `at`, `width` pixels wide, as raw grey bytes."""
    done = run_tool(
        ffmpeg(*keyframe_seek(at), "-i", str(path), "-map", "0:v:0", *AS_IS, "-frames:v", "1")
        + ["-vf", f"scale={width}:-2,format=gray", "-f", "rawvideo", "-"],
        FRAME_SECONDS,
        refuse=False,
    )
    return done.stdout if done.returncode == 0 and done.stdout else None
