"""Processing an upload through the app, with real ffprobe and ffmpeg on small generated files:
the last byte queues the job, which makes the upload ready with its metadata and files; what is
not media fails at once and leaves nothing; a job killed halfway runs again without duplicates,
at most three times; a full disk fails it in words."""

import base64
import errno
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from app import settings
from app.extensions import db, get_queue
from app.models import Notification
from app.models.base import utcnow
from app.models.uploads import AUDIO, FAILED, IMAGE, PROCESSING, READY, UPLOADED, VIDEO, Upload
from app.realtime.events import user_channel
from app.uploads import media, processing, renditions, storage
from tests.conftest import wait_for

FFMPEG = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"]
TUS = {"Tus-Resumable": "1.0.0"}
DERIVED = ["poster.jpg", "preview.mp4", "scrub.jpg"]


def make(path: Path, *args: str) -> Path:
    subprocess.run([*FFMPEG, *args, str(path)], check=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    video = make(
        d / "beach.mp4",
        *("-f", "lavfi", "-i", "testsrc=s=320x240:d=3:r=10", "-f", "lavfi", "-i", "sine=d=3"),
        *("-c:v", "libx264", "-g", "5", "-pix_fmt", "yuv420p", "-c:a", "aac"),
        *("-metadata", "creation_time=2024-07-14T10:30:00Z"),
    )
    cut = d / "cut.mp4"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    fake = d / "setup.mp4"
    shutil.copy("/bin/true", fake)
    return {
        "video": video,
        "cut": cut,
        "executable": fake,
        "short": make(
            d / "short.mp4", "-f", "lavfi", "-i", "testsrc=d=0.3:r=10", "-c:v", "libx264"
        ),
        "audio": make(d / "song.m4a", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac"),
        "image": make(d / "photo.png", "-f", "lavfi", "-i", "testsrc=s=200x100", "-frames:v", "1"),
        "avi": make(
            d / "old.avi",
            *("-f", "lavfi", "-i", "testsrc=s=160x120:d=1.5:r=10", "-c:v", "mpeg4", "-an"),
        ),
    }


@pytest.fixture
def person(app, auth):
    auth.owner()
    return auth.create("mum")


def arrived(user_id: int, source: Path, name: str = "") -> int:
    """An upload whose every byte is here, as the tus server leaves it."""
    row = Upload(
        key=storage.new_key(),
        user_id=user_id,
        filename=name or source.name,
        size=max(1, source.stat().st_size),
    )
    shutil.copy(source, storage.part_path(row.key))
    db.session.add(row)
    db.session.flush()
    processing.request_processing(row)
    db.session.commit()
    return row.id


def folder_of(row: Upload) -> list[str]:
    return sorted(p.name for p in storage.derived_path(row.key, "poster.jpg").parent.iterdir())


def originals_of(row: Upload) -> list[str]:
    folder = Path(storage.part_path(row.key)).parent.parent / "originals"
    return sorted(p.name for p in folder.glob(f"{row.key}*")) if folder.exists() else []


def notes(user_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id))
    return [(n.kind, n.title, n.link) for n in rows]


def upload_with_tus(client, body: bytes, name: str) -> str:
    headers = {"X-CSRFToken": client.token("/"), **TUS}
    filename = base64.b64encode(name.encode()).decode()
    created = client.post(
        "/uploads/files",
        headers={
            **headers,
            "Upload-Length": str(len(body)),
            "Upload-Metadata": f"filename {filename}",
        },
    )
    assert created.status_code == 201
    sent = client.patch(
        created.headers["Location"],
        data=body,
        headers={
            **headers,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert sent.status_code == 204
    return created.headers["Location"].rsplit("/", 1)[-1]


def test_the_last_byte_queues_processing_which_makes_it_ready_with_its_files(
    app, client, auth, person, files
):
    auth.login("mum")
    listener = Redis.from_url(app.config["REDIS_URL"]).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(user_channel(person))
    key = upload_with_tus(client, files["video"].read_bytes(), "Beach day.mp4")
    with app.app_context():
        row = db.session.scalars(select(Upload).where(Upload.key == key)).one()
        assert row.state == UPLOADED
        job = get_queue().fetch_job(processing.job_id(row.id))
        assert job is not None and job.func_name == processing.JOB and job.args == (row.id,)
        assert processing.process_upload(row.id) == READY
        row = db.session.get(Upload, row.id)
        assert (row.kind, row.container, row.width, row.height) == (VIDEO, "mp4", 320, 240)
        assert (row.video_codec, row.audio_codec, row.attempts) == ("h264", "aac", 1)
        assert 2.5 < row.duration < 3.5 and row.title == "Beach day" and row.error == ""
        assert row.taken_at.isoformat().startswith("2024-07-14T10:30")
        assert row.progress == 100 and row.due_at is None and not row.converted
        assert not storage.part_path(key).exists() and originals_of(row) == [f"{key}.mp4"]
        assert folder_of(row) == DERIVED
        assert notes(person) == [("upload.ready", "Ready: Beach day", f"/uploads/{key}")]
    seen = []  # the bell's own events come on the same channel
    while not seen or seen[-1]["state"] != READY:
        event = json.loads(wait_for(lambda: listener.get_message(timeout=0.5))["data"])
        if event["type"] == "upload.changed":
            seen.append(event)
    listener.close()
    assert {e["key"] for e in seen} == {key}
    progress = [e["progress"] for e in seen]
    assert progress == sorted(progress) and progress[-1] == 100 and len(progress) >= 4


@pytest.mark.parametrize(
    "name, kind, made", [("audio", AUDIO, []), ("image", IMAGE, ["poster.jpg"])]
)
def test_sound_and_pictures_are_kept_as_what_they_are(app, person, files, name, kind, made):
    with app.app_context():
        upload_id = arrived(person, files[name], "named.mp4")
        assert processing.process_upload(upload_id) == READY
        row = db.session.get(Upload, upload_id)
        assert row.kind == kind and originals_of(row) == [f"{row.key}.{row.container}"]
        assert folder_of(row) == made and row.title == "named"


@pytest.mark.parametrize(
    "name, words",
    [
        ("executable", "not a video, audio or image file"),
        ("cut", "cut off or damaged"),
        ("short", "too short to be a video"),
    ],
)
def test_what_is_not_media_fails_at_once_with_the_reason_and_leaves_nothing(
    app, person, files, name, words
):
    with app.app_context():
        upload_id = arrived(person, files[name])
        assert processing.process_upload(upload_id) == FAILED
        row = db.session.get(Upload, upload_id)
        assert row.state == FAILED and words in row.error and row.due_at is None
        assert not storage.part_path(row.key).exists() and originals_of(row) == []
        assert folder_of(row) == []
        assert processing.sweep() == 0  # never retried
        assert processing.process_upload(upload_id) == "skipped"
        [(kind, title, _link)] = notes(person)
        assert (kind, title) == ("upload.failed", f"Upload failed: {files[name].name}")


def test_a_job_killed_halfway_runs_again_from_the_sweeper_without_duplicates(
    app, person, files, monkeypatch
):
    def killed(src, dest, duration):
        dest.with_name("scrub.tmp.jpg").write_bytes(b"half a strip")
        dest.with_name("scrub.tmp03.jpg").write_bytes(b"a frame")
        raise SystemExit("the worker was killed")

    with app.app_context():
        upload_id = arrived(person, files["video"])
        with monkeypatch.context() as patched:
            patched.setattr(renditions, "scrub", killed)
            with pytest.raises(SystemExit):
                processing.process_upload(upload_id)
        db.session.rollback()
        row = db.session.get(Upload, upload_id)
        assert row.state == PROCESSING and row.attempts == 1 and originals_of(row)
        assert processing.sweep() == 0  # its lease still holds
        row.due_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert processing.sweep() == 1
        assert processing.process_upload(upload_id) == READY
        row = db.session.get(Upload, upload_id)
        assert row.attempts == 2 and folder_of(row) == DERIVED
        assert originals_of(row) == [f"{row.key}.mp4"]
        assert processing.sweep() == 0 and processing.process_upload(upload_id) == "skipped"


def test_a_job_that_keeps_dying_fails_after_three_attempts(app, person, files):
    with app.app_context():
        upload_id = arrived(person, files["video"])
        row = db.session.get(Upload, upload_id)
        row.state, row.attempts = PROCESSING, processing.MAX_ATTEMPTS
        row.due_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert processing.process_upload(upload_id) == FAILED
        row = db.session.get(Upload, upload_id)
        assert row.error.startswith("Processing stopped three times")
        assert not storage.part_path(row.key).exists() and processing.sweep() == 0
        assert [kind for kind, _title, _link in notes(person)] == ["upload.failed"]


def test_a_full_disk_fails_it_in_words_and_removes_what_was_made(app, person, files, monkeypatch):
    def no_space(src, dest, duration):
        dest.with_name("preview.tmp.mp4").write_bytes(b"part of a clip")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(renditions, "preview", no_space)
    with app.app_context():
        upload_id = arrived(person, files["video"])
        assert processing.process_upload(upload_id) == FAILED
        row = db.session.get(Upload, upload_id)
        assert "disk filled up" in row.error
        assert folder_of(row) == [] and originals_of(row) == []


def test_without_redis_the_upload_waits_for_the_sweeper(app, person, files, monkeypatch):
    def down(*args, **kwargs):
        raise RedisError("connection refused")

    with app.app_context():
        with monkeypatch.context() as patched:
            patched.setattr(processing, "enqueue", down)
            upload_id = arrived(person, files["image"])
        assert db.session.get(Upload, upload_id).state == UPLOADED
        assert get_queue().fetch_job(processing.job_id(upload_id)) is None
        assert processing.sweep() == 1
        assert get_queue().fetch_job(processing.job_id(upload_id)) is not None


def test_with_converting_on_an_old_format_becomes_h264_mp4(app, person, files):
    with app.app_context():
        settings.put({"uploads.convert": True})
        upload_id = arrived(person, files["avi"], "Old tape.avi")
        assert processing.process_upload(upload_id) == READY
        row = db.session.get(Upload, upload_id)
        assert (row.container, row.converted, row.video_codec) == ("mp4", True, "mpeg4")
        assert originals_of(row) == [f"{row.key}.mp4"]
        found = media.probe(storage.original_path(row))
        assert (found.video_codec, found.container) == ("h264", "mp4")
