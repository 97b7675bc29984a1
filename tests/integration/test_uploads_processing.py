"""Processing with real ffprobe and ffmpeg on small generated files: what is accepted by content,
what is refused and why, the poster that is not black, the strip, the silent preview, and a job
that dies halfway."""

import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Notification, User
from app.models.base import utcnow
from app.models.uploads import AUDIO, FAILED, IMAGE, PROCESSING, READY, UPLOADED, VIDEO, Upload
from app.uploads import media, processing, storage

FFMPEG = ["ffmpeg", "-loglevel", "error", "-y"]


def make(path: Path, *args: str) -> Path:
    subprocess.run([*FFMPEG, *args, str(path)], check=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small video that starts black, an audio file, an image, and things that are none."""
    d = tmp_path_factory.mktemp("media")
    video = make(
        d / "clip.mp4",
        *("-f", "lavfi", "-i", "color=black:s=320x240:d=1:r=10"),
        *("-f", "lavfi", "-i", "testsrc=s=320x240:d=3:r=10"),
        *("-f", "lavfi", "-i", "sine=d=4"),
        *("-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", "-map", "2:a"),
        *("-c:v", "libx264", "-g", "5", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
        *("-metadata", "creation_time=2024-07-14T10:30:00Z"),
    )
    truncated = d / "cut.mkv"
    full = make(
        d / "full.mkv",
        *("-f", "lavfi", "-i", "testsrc=s=320x240:d=4:r=10", "-c:v", "libx264", "-g", "5"),
    )
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    fake = d / "setup.mp4"
    shutil.copy("/bin/true", fake)
    archive = d / "photos.mp4"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "hello" * 100)
    return {
        "video": video,
        "short": make(
            d / "short.mp4", "-f", "lavfi", "-i", "testsrc=d=0.3:r=10", "-c:v", "libx264"
        ),
        "audio": make(d / "song.m4a", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac"),
        "image": make(d / "photo.png", "-f", "lavfi", "-i", "testsrc=s=200x100", "-frames:v", "1"),
        "truncated": truncated,
        "executable": fake,
        "zip": archive,
        "empty": (d / "empty.mp4", (d / "empty.mp4").write_bytes(b""))[0],
        "text": (d / "notes.mp4", (d / "notes.mp4").write_text("not a video\n" * 50))[0],
    }


@pytest.fixture
def person(app):
    with app.app_context():
        user = User(username="mum", role="user")
        db.session.add(user)
        db.session.commit()
        return user.id


def arrived(user_id: int, source: Path, name: str = "") -> int:
    """An upload whose every byte is here, as the tus server leaves it."""
    row = Upload(
        key=storage.new_key(),
        user_id=user_id,
        filename=name or source.name,
        size=max(1, source.stat().st_size),
        state=UPLOADED,
    )
    shutil.copy(source, storage.part_path(row.key))
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_video_gets_its_metadata_a_poster_that_is_not_black_a_strip_and_a_preview(
    app, person, files
):
    with app.app_context():
        upload_id = arrived(person, files["video"], "Beach day.mp4")
        assert processing.process_upload(upload_id) == READY
        row = db.session.get(Upload, upload_id)
        assert (row.kind, row.container, row.width, row.height) == (VIDEO, "mp4", 320, 240)
        assert (row.video_codec, row.audio_codec) == ("h264", "aac")
        assert 3.5 < row.duration < 4.5 and row.progress == 100 and row.title == "Beach day"
        assert row.taken_at.isoformat().startswith("2024-07-14T10:30")
        assert not storage.part_path(row.key).exists() and storage.original_path(row).exists()
        poster = storage.derived_path(row.key, "poster.jpg")
        assert mean_grey(poster) > media.DARK  # the black first second was skipped
        strip = media.probe(storage.derived_path(row.key, "scrub.jpg"))
        assert (strip.width, strip.height) == (media.SCRUB_WIDTH * media.SCRUB_FRAMES, 90)
        clip = media.probe(storage.derived_path(row.key, "preview.mp4"))
        assert clip.audio_codec == "" and clip.duration <= media.PREVIEW_SECONDS + 0.2
        [note] = db.session.scalars(select_notes(person))
        assert (note.title, note.link) == ("Ready: Beach day", f"/uploads/{row.key}")


def mean_grey(image: Path) -> float:
    grey = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(image), "-vf", "scale=64:-2,format=gray"]
        + ["-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return sum(grey) / len(grey)


def select_notes(user_id):
    from sqlalchemy import select

    return select(Notification).where(Notification.user_id == user_id)


@pytest.mark.parametrize(
    "name, kind, container", [("audio", AUDIO, "m4a"), ("image", IMAGE, "png")]
)
def test_audio_and_images_are_accepted_by_what_they_are(app, person, files, name, kind, container):
    with app.app_context():
        upload_id = arrived(person, files[name], "misnamed.mp4")
        assert processing.process_upload(upload_id) == READY
        row = db.session.get(Upload, upload_id)
        assert (row.kind, row.container) == (kind, container)
        assert storage.original_path(row).name.endswith(f".{container}")
        assert storage.derived_path(row.key, "poster.jpg").exists() == (kind == IMAGE)


@pytest.mark.parametrize(
    "name, words",
    [
        ("executable", "not a video, audio or image file"),
        ("zip", "not a video, audio or image file"),
        ("text", "not a video, audio or image file"),
        ("empty", "The file is empty."),
        ("short", "too short"),
        ("truncated", "damaged"),
    ],
)
def test_what_is_not_media_fails_at_once_with_the_reason_and_leaves_nothing(
    app, person, files, name, words
):
    with app.app_context():
        upload_id = arrived(person, files[name])
        assert processing.process_upload(upload_id) == FAILED
        row = db.session.get(Upload, upload_id)
        assert row.state == FAILED and words in row.error
        assert not storage.part_path(row.key).exists()
        assert not any(storage.derived_path(row.key, "poster.jpg").parent.iterdir())
        assert processing.sweep() == 0  # never retried
        assert processing.process_upload(upload_id) == "skipped"


def test_a_job_killed_halfway_is_run_again_without_duplicate_outputs(app, person, files):
    with app.app_context():
        upload_id = arrived(person, files["video"])
        assert processing.process_upload(upload_id) == READY
        row = db.session.get(Upload, upload_id)
        # As if the worker died while making the strip: processing, lease over, a half file.
        row.state, row.due_at = PROCESSING, utcnow() - timedelta(seconds=1)
        db.session.commit()
        leftover = storage.derived_path(row.key, "scrub.jpg").with_name("scrub.tmp.jpg")
        leftover.write_bytes(b"half")
        assert processing.sweep() == 1
        assert processing.process_upload(upload_id) == READY
        folder = storage.derived_path(row.key, "poster.jpg").parent
        names = sorted(p.name for p in folder.iterdir() if p.name != "scrub.tmp.jpg")
        assert names == ["poster.jpg", "preview.mp4", "scrub.jpg"]
        originals = list(storage.original_path(row).parent.glob(f"{row.key}*"))
        assert len(originals) == 1


def test_a_job_that_keeps_dying_fails_after_three_attempts(app, person, files):
    with app.app_context():
        upload_id = arrived(person, files["video"])
        row = db.session.get(Upload, upload_id)
        row.state, row.attempts = PROCESSING, processing.MAX_ATTEMPTS
        row.due_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert processing.process_upload(upload_id) == FAILED
        row = db.session.get(Upload, upload_id)
        assert "stopped three times" in row.error and not storage.part_path(row.key).exists()
