"""A 2 GB upload over loopback against `cp` of the same bytes, and what it costs the web process.

Makes a file of random bytes (cached in the system's temp folder between runs), copies it with
`cp` (the page cache warm, as for the upload), then sends it to a throwaway MediaNest under
gunicorn the way the page's tus-js-client does: one POST to create it, then 32 MiB PATCH chunks
on one kept connection. Samples the web worker's memory all along. Targets: at least 70% of
cp's throughput, and the worker's resident memory growing by less than 50 MB. Prints JSON.

    .venv/bin/python -m bench.upload_speed [--gb 2] [--chunk-mb 8]
"""

import argparse
import base64
import http.client
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.common import HOST, Stack, log, machine_busy_seconds, memory_mb

TUS = {"Tus-Resumable": "1.0.0"}
_CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


def source_file(gb: float) -> Path:
    path = Path(tempfile.gettempdir()) / f"medianest-bench-upload-{gb:g}gb.bin"
    size = int(gb * 1024**3)
    if not path.exists() or path.stat().st_size != size:
        log(f"writing {gb:g} GB of random bytes to {path}…")
        block = os.urandom(8 * 1024**2)  # repeated: random enough that nothing compresses it
        with path.open("wb") as handle:
            for _ in range(size // len(block)):
                handle.write(block)
            handle.write(block[: size % len(block)])
    return path


def time_cp(source: Path, folder: Path) -> float:
    subprocess.run(["cat", str(source)], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    target = folder / "copy.bin"
    began = time.monotonic()
    subprocess.run(["cp", str(source), str(target)], check=True)
    seconds = time.monotonic() - began
    target.unlink()
    return seconds


class Sampler(threading.Thread):
    """The web worker's resident memory, every 50 ms, until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, memory_mb(self.pid).get("rss_mb", 0.0))
            time.sleep(0.05)


def upload(stack: Stack, cookie: str, source: Path, chunk: int) -> float:
    cookie = stack.browse("/", cookie)  # the first page stores the form token in the session
    _, _, page = stack.request("GET", "/", headers={"Cookie": cookie})
    token = _CSRF.search(page.decode())[1]
    size = source.stat().st_size
    name = base64.b64encode(b"bench.bin").decode()
    headers = {"Cookie": cookie, "X-CSRFToken": token, **TUS}
    status, answer, body = stack.request(
        "POST",
        "/uploads/files",
        headers={**headers, "Upload-Length": str(size), "Upload-Metadata": f"filename {name}"},
    )
    if status != 201:
        raise RuntimeError(f"creating the upload failed ({status}): {body[:200]!r}")
    path = "/" + answer["Location"].split("/", 3)[3]
    conn = http.client.HTTPConnection(HOST, stack.port, timeout=120)
    began, offset = time.monotonic(), 0
    with source.open("rb") as handle:
        while offset < size:
            data = handle.read(chunk)
            conn.request(
                "PATCH",
                path,
                body=data,
                headers={
                    **headers,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            response = conn.getresponse()
            response.read()
            if response.status != 204:
                raise RuntimeError(f"chunk at {offset} refused ({response.status})")
            offset = int(response.headers["Upload-Offset"])
    seconds = time.monotonic() - began
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=2.0)
    parser.add_argument("--chunk-mb", type=int, default=32)
    args = parser.parse_args()
    source = source_file(args.gb)
    busy_before = machine_busy_seconds()
    with Stack(workers=1) as stack:
        cookie = stack.sign_in(stack.owner)
        [worker] = stack.worker_pids()
        cp_seconds = time_cp(source, Path(stack.env["MEDIANEST_DATA_DIR"]))
        stack.request("GET", "/", headers={"Cookie": cookie})  # the worker's first page, warm
        before = memory_mb(worker).get("rss_mb", 0.0)
        sampler = Sampler(worker)
        sampler.start()
        seconds = upload(stack, cookie, source, args.chunk_mb * 1024**2)
        sampler.done.set()
        sampler.join()
    size_mb = source.stat().st_size / 1024**2
    figures = {
        "bytes": source.stat().st_size,
        "cp_mb_s": round(size_mb / cp_seconds, 1),
        "upload_mb_s": round(size_mb / seconds, 1),
        "ratio": round(cp_seconds / seconds, 2),
        "target_ratio": 0.70,
        "rss_before_mb": before,
        "rss_peak_mb": sampler.peak,
        "rss_growth_mb": round(sampler.peak - before, 1),
        "target_growth_mb": 50,
        "chunk_mb": args.chunk_mb,
        "machine_busy_seconds": round(machine_busy_seconds() - busy_before, 1),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
