"""How long an hour of 1080p H.264 takes to get its poster and scrub strip (and, for reference,
its probe and preview): each is a few keyframe seeks, never a decode of the whole file.

The hour is made once and cached in the system's temp folder: a 10 s clip of testsrc2 at
5 fps with a keyframe every 5 s, looped to an hour with -c copy (no re-encoding). Target:
poster + scrub under 10 s. Prints JSON.

    .venv/bin/python -m bench.upload_thumbnails [--minutes 60]
"""

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from app.uploads import media, renditions
from bench.common import log

TARGET_SECONDS = 10.0
CLIP_SECONDS = 10
FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def source_file(minutes: int) -> Path:
    folder = Path(tempfile.gettempdir())
    path = folder / f"medianest-bench-{minutes}min-1080p.mp4"
    if path.exists() and path.stat().st_size:
        return path
    clip = folder / "medianest-bench-clip-1080p.mp4"
    log(f"making a {minutes}-minute 1080p H.264 file at {path}…")
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=5:d={CLIP_SECONDS}"]
        + ["-f", "lavfi", "-i", f"sine=d={CLIP_SECONDS}"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-shortest", str(clip)],
        check=True,
    )
    loops = minutes * 60 // CLIP_SECONDS - 1
    partial = path.with_suffix(".tmp.mp4")
    subprocess.run(
        [*FFMPEG, "-stream_loop", str(loops), "-i", str(clip), "-c", "copy", str(partial)],
        check=True,
    )
    partial.replace(path)
    clip.unlink()
    return path


def timed(func, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    options = parser.parse_args()
    source = source_file(options.minutes)
    out = Path(tempfile.mkdtemp(prefix="medianest-bench-thumbs-"))
    probe_s, found = timed(media.probe, source)
    assert isinstance(found, media.Probe), found
    poster_s, poster_ok = timed(renditions.poster, source, out / "poster.jpg", found.duration)
    scrub_s, scrub_ok = timed(renditions.scrub, source, out / "scrub.jpg", found.duration)
    preview_s, preview_ok = timed(renditions.preview, source, out / "preview.mp4", found.duration)
    figure = {
        "file": {
            "minutes": round(found.duration / 60, 1),
            "size": f"{found.width}x{found.height}",
            "codec": found.video_codec,
            "mb": round(source.stat().st_size / 1024**2),
        },
        "probe_seconds": round(probe_s, 2),
        "poster_seconds": round(poster_s, 2),
        "scrub_seconds": round(scrub_s, 2),
        "scrub_frames": renditions.SCRUB_FRAMES,
        "preview_seconds": round(preview_s, 2),
        "poster_and_scrub_seconds": round(poster_s + scrub_s, 2),
        "target_seconds": TARGET_SECONDS,
        "ok": bool(poster_ok and scrub_ok and preview_ok and poster_s + scrub_s < TARGET_SECONDS),
    }
    for made in out.iterdir():
        made.unlink()
    out.rmdir()
    print(json.dumps(figure, indent=2))


if __name__ == "__main__":
    main()
