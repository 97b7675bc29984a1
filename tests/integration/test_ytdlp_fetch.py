"""Downloads with the real yt-dlp and ffmpeg from the loopback video site."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.integrations import ytdlp
from tests.integration import ytdlp_helpers
from tests.integration.ytdlp_helpers import group_members, probe, spec_for, ytdlp_children

# The module's video site, and the same with its switches off for one test.
site, fresh = ytdlp_helpers.site, ytdlp_helpers.fresh


def never() -> bool:
    return False


def test_a_video_lands_at_its_final_path_as_mp4_with_tags_and_cover(fresh, tmp_path):
    spec = spec_for(fresh, tmp_path, "vs000000003")
    events = []
    result = ytdlp.fetch(spec, events.append, never)

    assert result.path == spec.final_path and Path(result.path).is_file()
    assert result.size_bytes == os.path.getsize(result.path)
    assert not Path(spec.staging_dir).exists()
    facts = probe(result.path)
    assert facts["format"]["format_name"].startswith("mov,mp4")
    tags = facts["format"]["tags"]
    assert tags["title"] == "🎬 Behind the scenes ✨"
    assert tags["date"] == "20250319"
    assert tags["description"].startswith("🎬 Behind the scenes")
    codecs = {(s["codec_type"], s["codec_name"]) for s in facts["streams"]}
    assert {("video", "h264"), ("audio", "aac")} <= codecs
    cover = [s for s in facts["streams"] if s["disposition"].get("attached_pic")]
    assert cover and cover[0]["codec_name"] == "mjpeg"

    assert result.info["title"] == "🎬 Behind the scenes ✨"
    assert result.info["uploader"] == "Nest Cam" and result.info["upload_date"] == "20250319"
    assert result.info["webpage_url"] == spec.url and result.info["duration"] == 2
    assert events[-1]["phase"] == "processing"
    downloading = [e for e in events if e["phase"] == "downloading"]
    assert downloading[-1]["pct"] == 100.0 and downloading[-1]["total"]
    assert events[-1]["downloaded"] == downloading[-1]["total"], "the bar stays full"


def test_audio_quality_gives_an_m4a_with_a_cover(fresh, tmp_path):
    spec = spec_for(fresh, tmp_path, "vs000000002", quality="audio")
    result = ytdlp.fetch(spec, lambda _event: None, never)
    facts = probe(result.path)
    assert result.path.endswith(".m4a")
    assert [s["codec_name"] for s in facts["streams"] if s["codec_type"] == "audio"] == ["aac"]
    assert facts["format"]["tags"]["title"] == "Morning / evening: a comparison"


def test_cancel_mid_download_ends_the_whole_process_group_and_leaves_nothing(fresh, tmp_path):
    fresh.state.switch(throttle=8_000)
    spec = spec_for(fresh, tmp_path, "vs000000001")
    seen = {}

    def progress(event):
        if "group" not in seen:
            (child,) = ytdlp_children(os.getpid())
            seen["group"] = os.getpgid(child)
        seen["downloaded"] = event["downloaded"]
        seen["events"] = seen.get("events", 0) + 1
        seen.setdefault("cancel_at", time.monotonic() + 1.5)

    def cancelled() -> bool:
        # 1.5 s after the bytes began to flow, however long yt-dlp took to start on a busy box.
        return time.monotonic() > seen.get("cancel_at", float("inf"))

    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.fetch(spec, progress, cancelled)
    assert raised.value.code == ytdlp.CANCELLED and raised.value.message == "Cancelled."
    assert time.monotonic() - seen["cancel_at"] < 2.5, "a cancel ends the download within moments"
    assert 0 < seen["downloaded"] < 60_000, "it was stopped part way"
    assert seen["events"] <= 10, "a few progress events a second, not one per block"
    assert group_members(seen["group"]) == []
    assert not Path(spec.staging_dir).exists() and not Path(spec.final_path).exists()


def test_a_download_that_takes_too_long_is_stopped_and_leaves_nothing(fresh, tmp_path):
    fresh.state.switch(throttle=8_000)
    spec = spec_for(fresh, tmp_path, "vs000000001", timeout=1.5)
    began = time.monotonic()
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.fetch(spec, lambda _e: None, never)
    assert raised.value.code == ytdlp.NETWORK
    assert raised.value.message == "It took longer than the 1.5 seconds allowed; try again later."
    assert time.monotonic() - began < 4
    assert not Path(spec.staging_dir).exists() and not Path(spec.final_path).exists()


def test_the_admins_cookies_are_sent_and_their_file_is_left_as_it_was(fresh, tmp_path):
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\tsigned-in\n"
    )
    before = cookies.read_bytes()
    guard = dataclasses.replace(fresh.guard, cookies_file=str(cookies))
    spec = dataclasses.replace(spec_for(fresh, tmp_path, "vs000000008"), guard=guard)
    result = ytdlp.fetch(spec, lambda _e: None, never)
    assert result.info["title"] == "CON"
    assert fresh.state.cookies == ["SID=signed-in"]
    assert cookies.read_bytes() == before


def test_a_connection_cut_halfway_once_is_resumed_from_where_it_stopped(fresh, tmp_path):
    fresh.state.switch(cut=20_000)
    result = ytdlp.fetch(spec_for(fresh, tmp_path, "vs000000004"), lambda _e: None, never)
    assert float(probe(result.path)["format"]["duration"]) > 2
    first, again = fresh.state.ranges
    assert first == "" and again.startswith("bytes=") and again.endswith("-")
    assert 0 < int(again[6:-1]) <= 20_000, "the second request resumed the .part file"


def test_a_connection_cut_every_time_is_a_network_error_with_nothing_left(fresh, tmp_path):
    fresh.state.switch(cut=20_000, cut_always=True)
    spec = spec_for(fresh, tmp_path, "vs000000004")
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.fetch(spec, lambda _e: None, never)
    assert raised.value.code == ytdlp.NETWORK and raised.value.retryable
    assert not Path(spec.staging_dir).exists() and not Path(spec.final_path).exists()


def test_a_404_is_a_removed_video(fresh, tmp_path):
    fresh.state.switch(fail={"vs000000005": 404})
    spec = spec_for(fresh, tmp_path, "vs000000005")
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.fetch(spec, lambda _e: None, never)
    assert raised.value.code == ytdlp.REMOVED
    assert not Path(spec.final_path).exists()


def test_a_server_error_is_a_network_error_worth_retrying(fresh, tmp_path):
    fresh.state.switch(fail={"*": 503})
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.fetch(spec_for(fresh, tmp_path, "vs000000006"), lambda _e: None, never)
    assert raised.value.code == ytdlp.NETWORK and raised.value.retryable


PARENT_SCRIPT = """
import json, sys
from app.integrations.ytdlp import FetchSpec, Guard, fetch
fields = json.loads(sys.argv[1])
fields["guard"] = Guard(allowed_hosts=tuple(fields["guard"]["allowed_hosts"]))
fetch(FetchSpec(**fields), lambda event: print("progress", flush=True), lambda: False)
"""


def test_a_download_stops_when_the_process_that_started_it_dies(fresh, tmp_path):
    fresh.state.switch(throttle=8_000)
    spec = spec_for(fresh, tmp_path, "vs000000007")
    fields = json.dumps(dataclasses.asdict(spec))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT, fields], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout.readline().strip() == "progress"
        (child,) = ytdlp_children(parent.pid)
        group = os.getpgid(child)
        os.kill(parent.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while group_members(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert group_members(group) == [], "the child's watchdog ended its group"
    finally:
        parent.kill()
        parent.wait()


def test_show_art_is_written_as_jpeg_even_from_a_png(fresh, tmp_path):
    show = tmp_path / "Nest Cam"
    ytdlp.write_show_art(str(show), f"{fresh.url}/art/nestcam.png", fresh.guard)
    for name in ("poster.jpg", "fanart.jpg"):
        assert (show / name).read_bytes()[:3] == b"\xff\xd8\xff"
    assert sorted(p.name for p in show.iterdir()) == ["fanart.jpg", "poster.jpg"]
    before = (show / "poster.jpg").stat().st_mtime_ns
    fresh.state.hits.clear()
    ytdlp.write_show_art(str(show), f"{fresh.url}/art/other.jpg", fresh.guard)
    assert (show / "poster.jpg").stat().st_mtime_ns == before and fresh.state.hits == []


def test_show_art_is_fetched_only_within_the_guard(fresh, tmp_path):
    with pytest.raises(ytdlp.FetchError) as raised:
        ytdlp.write_show_art(str(tmp_path), f"http://localhost:{fresh.port}/art/x.jpg", fresh.guard)
    assert raised.value.code == ytdlp.REFUSED
    assert list(tmp_path.iterdir()) == []


FULL_DISK_SCRIPT = """
import json, os, sys
from app.integrations.ytdlp import FetchError, FetchSpec, Guard, fetch
url, folder, host = sys.argv[1:4]
spec = FetchSpec(url, "v", "best", folder + "/staging", folder + "/show/v.mp4", Guard((host,)))
try:
    fetch(spec, lambda event: None, lambda: False)
    print(json.dumps({"code": None}))
except FetchError as exc:
    print(json.dumps({"code": exc.code, "message": exc.message, "left": os.listdir(folder)}))
"""


NO_MOUNT = 97  # the exit status that says the small disk could not be made


def test_a_full_disk_is_said_in_plain_words_and_leaves_nothing(fresh, tmp_path):
    """A tmpfs smaller than the video, mounted in a mount namespace of the test's own."""
    state = fresh.state
    video_id = max(state.catalog.videos, key=lambda v: state.media_for(v).size)
    size = state.media_for(video_id).size
    small = tmp_path / "small"
    small.mkdir()
    limit = (size // 2) // 4096 * 4096
    mount = f"mount -t tmpfs -o size={limit} tmpfs {small} || exit {NO_MOUNT}"
    inner = f'{mount}; exec "$0" -c "$1" "$2" "$3" "$4"'
    url, host = f"{fresh.url}/watch/{video_id}", f"127.0.0.1:{fresh.port}"
    command = ["unshare", "-m", "sh", "-c", inner, sys.executable, FULL_DISK_SCRIPT]
    command += [url, str(small), host]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode == NO_MOUNT or done.stderr.startswith("unshare:"):
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["code"] == ytdlp.DISK, done.stderr
    assert outcome["message"] == "The disk is full."
    assert outcome["left"] == [], "no partial file, no staging folder"
