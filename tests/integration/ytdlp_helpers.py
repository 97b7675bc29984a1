"""The loopback video site and what yt-dlp tests check files and processes with."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from app.integrations import ytdlp
from simulators import SimulatorServer
from simulators.video_source import VideoSourceState, create_app


def video_site() -> SimulatorServer:
    """A video site on a free loopback port (not started), its state, and a guard naming it."""
    state = VideoSourceState()
    server = SimulatorServer(create_app(state))
    server.state = state
    server.guard = ytdlp.Guard(allowed_hosts=(f"127.0.0.1:{server.port}",), timeout=10)
    return server


@pytest.fixture(scope="module")
def site():
    with video_site() as server:
        yield server


@pytest.fixture
def fresh(site):
    yield reset(site)
    reset(site)


def reset(server: SimulatorServer) -> SimulatorServer:
    """The site with its switches off and its request log empty."""
    server.state.switch(reset=True)
    server.state.ranges.clear()
    server.state.hits.clear()
    server.state.cookies.clear()
    return server


def spec_for(site, tmp_path: Path, video_id: str, quality: str = "best", **extra):
    ext = "m4a" if quality == "audio" else "mp4"
    return ytdlp.FetchSpec(
        url=f"{site.url}/watch/{video_id}",
        video_id=video_id,
        quality=quality,
        staging_dir=str(tmp_path / "staging" / video_id),
        final_path=str(tmp_path / "Nest Cam" / "Season 2025" / f"{video_id}.{ext}"),
        guard=site.guard,
        **extra,
    )


def probe(path: str) -> dict:
    """ffprobe's account of a file: its streams and container tags."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def _processes():
    """(pid, state, parent pid, process group) of every process."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid, pgid = stat.rsplit(")", 1)[1].split()[:3]
        yield int(entry), state, int(ppid), int(pgid)


def group_members(pgid: int) -> list[int]:
    """Live processes in a process group (zombies are dead and do not count)."""
    return [pid for pid, state, _, group in _processes() if group == pgid and state != "Z"]


def ytdlp_children(pid: int) -> list[int]:
    """The yt-dlp child processes this process started (other children, like Redis, aside)."""
    found = []
    for child, _, parent, _ in _processes():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if parent == pid and b"ytdlp_child" in command:
            found.append(child)
    return found
