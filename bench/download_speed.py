"""How much MediaNest's way of running yt-dlp costs over the yt-dlp command line.

Makes a ~200 MB MP4 with ffmpeg (cached between runs), serves it from the loopback video site,
and after one untimed warm-up downloads it with `ytdlp.fetch` (a guarded child process, tags
and cover embedded, moved into place) and with `.venv/bin/yt-dlp` given the same options,
alternating, 3 runs each. Prints JSON: the median seconds of each, their ratio (target <= 1.15),
every run, and the load.

    .venv/bin/python bench/download_speed.py [--runs 3] [--seconds 40]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.integrations import ytdlp  # noqa: E402
from app.integrations.ytdlp_child import NATIVE_ONLY  # noqa: E402
from simulators.server import SimulatorServer  # noqa: E402
from simulators.video_files import MediaSpec  # noqa: E402
from simulators.video_source import VideoSourceState, create_app  # noqa: E402

VIDEO = "vs000000001"


def big_spec(seconds: float) -> MediaSpec:
    return MediaSpec(
        seconds=seconds, width=1280, height=720, variants=1, video_bitrate="40M", noise=True
    )


def run_medianest(url: str, guard: ytdlp.Guard, work: Path) -> float:
    spec = ytdlp.FetchSpec(url, VIDEO, "best", str(work / "staging"), str(work / "out.mp4"), guard)
    began = time.monotonic()
    ytdlp.fetch(spec, lambda _event: None, lambda: False)
    return time.monotonic() - began


def run_cli(url: str, guard: ytdlp.Guard, work: Path) -> float:
    """The same download as yt-dlp's command line does it, including the move into place."""
    staging = work / "staging"
    command = [str(ROOT / ".venv/bin/yt-dlp"), "--ignore-config", "--no-progress", "--quiet"]
    command += ["--no-warnings", "--socket-timeout", str(guard.timeout)]
    command += [
        *ytdlp.format_args("best"),
        *NATIVE_ONLY,
        "-P",
        str(staging),
        "-o",
        "%(id)s.%(ext)s",
    ]
    began = time.monotonic()
    subprocess.run([*command, "--no-playlist", url], check=True)
    os.replace(staging / f"{VIDEO}.mp4", work / "out.mp4")
    shutil.rmtree(staging)
    return time.monotonic() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench/download_speed.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=55.0, help="length of the video")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print("making the video (cached after the first run)…", file=sys.stderr)
    state = VideoSourceState(spec=big_spec(args.seconds)).prepare()
    size = state.media[0].size
    times = {"medianest": [], "cli": []}
    with SimulatorServer(create_app(state)) as server:
        guard = ytdlp.Guard(allowed_hosts=(f"127.0.0.1:{server.port}",))
        url = f"{server.url}/watch/{VIDEO}"
        # One untimed download first: the file and ffmpeg are in the page cache for every run.
        with tempfile.TemporaryDirectory(prefix="medianest-bench-") as work:
            run_cli(url, guard, Path(work))
        for run in range(args.runs):
            order = (("medianest", run_medianest), ("cli", run_cli))
            for name, runner in order if run % 2 == 0 else order[::-1]:
                with tempfile.TemporaryDirectory(prefix="medianest-bench-") as work:
                    seconds = runner(url, guard, Path(work))
                    out = Path(work) / "out.mp4"
                    assert out.stat().st_size > size * 0.9, "the whole video arrived"
                times[name].append(round(seconds, 3))
                print(f"run {run + 1} {name}: {seconds:.2f} s", file=sys.stderr)
    medianest, cli = statistics.median(times["medianest"]), statistics.median(times["cli"])
    report = {
        "medianest_s": round(medianest, 3),
        "cli_s": round(cli, 3),
        "ratio": round(medianest / cli, 3),
        "runs": times,
        "file_mb": round(size / 1e6, 1),
        "load": os.getloadavg(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
