"""ffprobe and ffmpeg on small generated files: what is accepted by its content and what is
refused (and why, in words), the metadata read, a poster that is not black, the scrub strip,
the silent preview, conversion, and outputs that only ever appear under their final name."""

import errno
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.models.uploads import AUDIO, IMAGE, VIDEO
from app.uploads import media, renditions

FFMPEG = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"]
TESTSRC = "testsrc=s=160x120:r=10"


def make(path: Path, *args: str) -> Path:
    subprocess.run([*FFMPEG, *args, str(path)], check=True, timeout=60)
    return path


def black_then_picture(path: Path, black: float = 2, picture: float = 3) -> Path:
    """A video whose first seconds are black, keyframes every half second, with sound."""
    return make(
        path,
        *("-f", "lavfi", "-i", f"color=black:s=320x240:d={black}:r=10"),
        *("-f", "lavfi", "-i", f"testsrc=s=320x240:d={picture}:r=10"),
        *("-f", "lavfi", "-i", f"sine=d={black + picture}"),
        *("-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", "-map", "2:a"),
        *("-c:v", "libx264", "-g", "5", "-pix_fmt", "yuv420p", "-c:a", "aac"),
        *("-metadata", "creation_time=2024-07-14T10:30:00Z"),
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    full = make(d / "full.mkv", "-f", "lavfi", "-i", f"{TESTSRC}:d=4", "-c:v", "libx264")
    (d / "cut.mkv").write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    plain = make(d / "plain.mp4", "-f", "lavfi", "-i", f"{TESTSRC}:d=4", "-c:v", "libx264")
    (d / "cut.mp4").write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    shutil.copy("/bin/true", d / "clip.mp4")
    with zipfile.ZipFile(d / "photos.mp4", "w") as archive:
        archive.writestr("a.txt", "hello " * 200)
    (d / "notes.mov").write_text("not a video\n" * 50)
    (d / "empty.mp4").write_bytes(b"")
    # An iPhone photo's first box (ftyp, brand heic) and then its boxes, which ffmpeg 5 cannot read
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x0cmeta" * 40
    (d / "IMG_0001.HEIC").write_bytes(heic)
    return {
        "video": black_then_picture(d / "beach.mp4"),
        "short": make(d / "short.mp4", "-f", "lavfi", "-i", f"{TESTSRC}:d=0.3", "-c:v", "libx264"),
        "odd": make(d / "odd.mkv", "-f", "lavfi", "-i", f"{TESTSRC}:d=2", "-c:v", "ffv1"),
        "iphone": make(
            d / "IMG_0001.mp4",  # a QuickTime file named .mp4: stored as what it is
            *("-f", "lavfi", "-i", f"{TESTSRC}:d=1.5", "-c:v", "libx264", "-f", "mov"),
            *("-movflags", "use_metadata_tags", "-metadata", "com.apple.quicktime.make=Apple"),
            *("-metadata", "com.apple.quicktime.model=iPhone 15"),
            *("-metadata", "com.apple.quicktime.creationdate=2024-07-14T12:30:00+0200"),
        ),
        "audio": make(d / "song.mp4", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac"),
        "mp3": make(d / "voice.wav", "-f", "lavfi", "-i", "sine=d=1", "-f", "mp3"),
        "image": make(d / "photo.jpg", "-f", "lavfi", "-i", "testsrc=s=800x400", "-frames:v", "1"),
        "cut.mkv": d / "cut.mkv",
        "cut.mp4": d / "cut.mp4",
        "executable": d / "clip.mp4",
        "zip": d / "photos.mp4",
        "text": d / "notes.mov",
        "empty": d / "empty.mp4",
        "heic": d / "IMG_0001.HEIC",
    }


def streams(path: Path) -> list[dict]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    )
    found = json.loads(done.stdout)
    return [
        {**s, "format_duration": float(found["format"].get("duration", 0))}
        for s in found["streams"]
    ]


def brightness(image: Path) -> float:
    grey = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(image), "-vf", "scale=64:-2,format=gray"]
        + ["-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return sum(grey) / len(grey)


def test_a_video_is_read_by_its_content_with_its_date(files):
    found = media.probe(files["video"])
    assert isinstance(found, media.Probe)
    assert (found.kind, found.container, found.width, found.height) == (VIDEO, "mp4", 320, 240)
    assert (found.video_codec, found.audio_codec) == ("h264", "aac")
    assert 4.5 < found.duration < 5.5
    assert found.taken_at == datetime(2024, 7, 14, 10, 30, tzinfo=UTC)
    assert not renditions.needs_conversion(found)


def test_a_phone_video_named_mp4_is_stored_as_mov_with_its_camera_and_utc_date(files):
    found = media.probe(files["iphone"])
    assert (found.container, found.camera) == ("mov", "Apple iPhone 15")
    assert found.taken_at == datetime(2024, 7, 14, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "name, kind, container, codec",
    [("audio", AUDIO, "m4a", "aac"), ("mp3", AUDIO, "mp3", "mp3"), ("image", IMAGE, "jpg", "")],
)
def test_sound_and_pictures_are_accepted_as_what_they_are(files, name, kind, container, codec):
    found = media.probe(files[name])
    assert (found.kind, found.container, found.audio_codec) == (kind, container, codec)
    assert found.video_codec == "" and not renditions.needs_conversion(found)
    if kind == IMAGE:
        assert (found.width, found.height, found.duration) == (800, 400, None)


@pytest.mark.parametrize(
    "name, words",
    [
        ("executable", "not a video, audio or image file"),
        ("zip", "not a video, audio or image file"),
        ("text", "not a video, audio or image file"),
        ("empty", "The file is empty."),
        ("heic", "cannot read HEIC or HEIF pictures"),
        ("cut.mkv", "cut off or damaged"),
        ("cut.mp4", "cut off or damaged"),
        ("short", "too short to be a video"),
        ("odd", "Videos in the ffv1 format are not accepted."),
    ],
)
def test_what_we_do_not_accept_is_refused_in_words(files, name, words):
    refused = media.probe(files[name])
    assert isinstance(refused, media.Refusal) and words in refused.reason


def test_the_poster_skips_black_opening_seconds(files, tmp_path):
    dest = tmp_path / "poster.jpg"
    assert renditions.poster(files["video"], dest, 5.0)
    assert brightness(dest) > 60  # testsrc, not the black opening (mean luma near 16)
    [picture] = streams(dest)
    assert picture["width"] == 320  # never upscaled past the video
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poster.jpg"]


def test_a_picture_becomes_a_scaled_poster(files, tmp_path):
    dest = tmp_path / "poster.jpg"
    assert renditions.poster(files["image"], dest)
    [picture] = streams(dest)
    assert (picture["width"], picture["height"]) == (renditions.POSTER_WIDTH, 320)


def test_the_scrub_strip_is_one_row_of_small_frames(files, tmp_path):
    dest = tmp_path / "scrub.jpg"
    assert renditions.scrub(files["video"], dest, 5.0)
    [strip] = streams(dest)
    width, height = renditions.SCRUB_WIDTH * renditions.SCRUB_FRAMES, renditions.SCRUB_HEIGHT
    assert (strip["width"], strip["height"]) == (width, height)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scrub.jpg"]  # no frames left over


def test_the_preview_is_short_small_and_silent(files, tmp_path):
    dest = tmp_path / "preview.mp4"
    assert renditions.preview(files["video"], dest, 5.0)
    found = streams(dest)
    assert [s["codec_type"] for s in found] == ["video"]
    assert found[0]["codec_name"] == "h264" and found[0]["width"] == renditions.PREVIEW_WIDTH
    assert (
        found[0]["pix_fmt"] == "yuv420p"
        and found[0]["format_duration"] <= renditions.PREVIEW_SECONDS
    )


def test_a_long_video_previews_six_seconds_from_its_middle(tmp_path):
    video = make(tmp_path / "long.mp4", "-f", "lavfi", "-i", f"{TESTSRC}:d=20", "-c:v", "libx264")
    dest = tmp_path / "preview.mp4"
    assert renditions.preview(video, dest, 20.0)
    assert abs(streams(dest)[0]["format_duration"] - renditions.PREVIEW_SECONDS) < 0.3


def test_what_plex_cannot_play_directly_is_converted_to_h264_and_aac(tmp_path):
    source = make(
        tmp_path / "old.avi",
        *("-f", "lavfi", "-i", f"{TESTSRC}:d=1.5", "-f", "lavfi", "-i", "sine=d=1.5"),
        *("-c:v", "mpeg4", "-c:a", "pcm_s16le"),
    )
    found = media.probe(source)
    assert (found.container, found.video_codec) == ("avi", "mpeg4") and renditions.needs_conversion(
        found
    )
    dest = tmp_path / "new.mp4"
    assert renditions.convert(source, dest)
    converted = media.probe(dest)
    assert (converted.container, converted.video_codec, converted.audio_codec) == (
        "mp4",
        "h264",
        "aac",
    )
    assert not renditions.needs_conversion(converted)


def test_a_failed_output_leaves_nothing_under_its_name(files, tmp_path):
    dest = tmp_path / "poster.jpg"
    assert not renditions.poster(files["zip"], dest)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_told_apart_from_a_bad_file(files, tmp_path, monkeypatch):
    real = renditions.run_tool

    def full_disk(args, seconds, refuse=True):
        if args[0] == "ffmpeg":
            return subprocess.CompletedProcess(args, 1, b"", b"Error: No space left on device")
        return real(args, seconds, refuse)

    monkeypatch.setattr(renditions, "run_tool", full_disk)
    with pytest.raises(OSError) as raised:
        renditions.preview(files["video"], tmp_path / "preview.mp4", 5.0)
    assert raised.value.errno == errno.ENOSPC
