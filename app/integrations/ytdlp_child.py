"""The process that runs yt-dlp: a spec as JSON on stdin, JSON lines on stdout.

Started by app/integrations/ytdlp.py in a process group of its own. It imports nothing from the
app (a child starts for every preview, so it stays light), ends its whole group when its parent
goes away, and refuses connections to addresses inside the network unless the host was named.
Lines: {"event": "progress", ...}, then {"event": "result", "data": ...} or {"event": "error",
"type", "message", "errno"}.
"""

import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

REFUSED_WORDS = "points inside the network and was not named by an admin"
# yt-dlp's own downloaders connect through the guard; an ffmpeg asked to read a network stream
# would not, so it may read local files only (a stream that needs it fails instead).
NATIVE_ONLY = ("--downloader", "native", "--downloader-args", "ffmpeg_i:-protocol_whitelist file")
PROGRESS_EVERY = 0.25  # seconds between progress lines; finished and phase changes always go


def main() -> int:
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # anything yt-dlp or ffmpeg prints goes to stderr, not into the protocol
    emit = _emitter(channel)
    try:
        spec = json.loads(sys.stdin.read())
        watch_parent(int(spec.get("parent") or os.getppid()))
        guard_network(spec.get("allowed_hosts") or [])
        emit({"event": "result", "data": ACTIONS[spec["action"]](spec, emit)})
    except BaseException as exc:  # every failure is reported as a line; the parent classifies it
        emit({"event": "error", **describe(exc)})
        return 1
    return 0


def _emitter(channel):
    lock = threading.Lock()

    def emit(line: dict) -> None:
        with lock:
            channel.write(json.dumps(line, default=str) + "\n")

    return emit


def describe(exc: BaseException) -> dict:
    """The exception's type, message and the first errno in its chain of causes."""
    errno, seen = None, [exc]
    while seen and errno is None and len(seen) < 20:
        errno = getattr(seen[-1], "errno", None)
        # yt-dlp's DownloadError keeps the cause in exc_info rather than chaining it.
        held = getattr(seen[-1], "exc_info", None)
        cause = seen[-1].__cause__ or seen[-1].__context__ or (held[1] if held else None)
        if cause is None:
            break
        seen.append(cause)
    return {"type": type(exc).__name__, "message": str(exc) or repr(exc), "errno": errno}


def watch_parent(parent: int) -> None:
    """End this process group (yt-dlp and its ffmpeg) as soon as the parent is gone."""

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def inside(address: str) -> bool:
    """Loopback, private, link-local and other non-public addresses (as urls.is_inside)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def named(host: str, port, allowed) -> bool:
    """Whether the admin named this host (host or host:port; a name covers its subdomains)."""
    host = host.strip("[]").lower()
    for entry in allowed:
        name, _, want = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if want and str(port or "") != want:
            continue
        name = name.strip("[]").lower()
        if host == name or host.endswith("." + name):
            return True
    return False


def guard_network(allowed) -> None:
    """Refuse, at name lookup, any address inside the network unless its host was named.

    Every connection yt-dlp makes (redirects included) resolves its host through
    socket.getaddrinfo, so checking the answers there covers DNS names and IP literals alike."""
    real = socket.getaddrinfo

    def guarded(host, port, *args, **kwargs):
        answers = real(host, port, *args, **kwargs)
        name = host.decode() if isinstance(host, bytes) else str(host)
        if not named(name, port, allowed) and any(inside(a[4][0]) for a in answers):
            raise PermissionError(13, f"{name} {REFUSED_WORDS}")
        return answers

    socket.getaddrinfo = guarded


def _options(spec: dict, args: list[str]) -> dict:
    """yt-dlp's options as its command line would set them, plus the guard's settings."""
    import yt_dlp

    argv = ["--ignore-config", "--no-progress", "--quiet", "--no-warnings"]
    argv += ["--socket-timeout", str(spec.get("timeout") or 30)]
    if spec.get("cookies_file"):
        argv += ["--cookies", spec["cookies_file"]]
    opts = yt_dlp.parse_options([*argv, *args]).ydl_opts
    opts["logger"] = _Quiet()
    opts["ignoreerrors"] = False  # the command line skips some errors; here they are the answer
    return opts


def _downloader(spec: dict, args: list[str], progress=None):
    """A YoutubeDL with these options, hooked to progress, that reads cookies but never
    writes them back (downloads running side by side would overwrite each other's file)."""
    import yt_dlp

    opts = _options(spec, args)
    if progress is not None:
        opts["progress_hooks"] = [progress.download_hook]
        opts["postprocessor_hooks"] = [progress.postprocessor_hook]
    ydl = yt_dlp.YoutubeDL(opts)
    ydl.cookiejar.save = lambda *_args, **_kwargs: None
    return ydl


class _Quiet:
    """yt-dlp's messages go to stderr for the logs; errors come back as exceptions."""

    def debug(self, msg):
        pass

    def info(self, msg):
        pass

    def warning(self, msg):
        print(msg, file=sys.stderr)

    def error(self, msg):
        print(msg, file=sys.stderr)


# Parts of a single video's answer a listing does not need (formats can run to megabytes).
BULKY = ("formats", "requested_formats", "thumbnails", "http_headers", "subtitles")
BULKY += ("automatic_captions", "heatmap")
ENTRY_KEYS = ("id", "url", "title", "uploader", "channel", "timestamp", "upload_date", "duration")


def listing(spec: dict, _emit) -> dict:
    """Read a URL flat, bounded to spec["items"] (yt-dlp's playlist_items syntax)."""
    args = ["--flat-playlist", "-I", spec["items"]] if spec.get("items") else ["--flat-playlist"]
    with _downloader(spec, args) as ydl:
        info = ydl.sanitize_info(ydl.extract_info(spec["url"], download=False))
    entries = info.pop("entries", None)
    for bulky in BULKY:
        info.pop(bulky, None)
    if entries is not None:
        info["entries"] = [_entry(e) for e in entries if e]
    return info


def _entry(entry: dict) -> dict:
    from yt_dlp.utils import unsmuggle_url

    url, smuggled = unsmuggle_url(entry.get("url") or entry.get("webpage_url") or "", {})
    kept = {key: entry.get(key) for key in ENTRY_KEYS}
    kept["url"] = url
    kept["id"] = kept["id"] or smuggled.get("force_videoid")
    kept["ie_key"] = entry.get("ie_key") or entry.get("extractor_key")
    thumbs = entry.get("thumbnails") or []
    kept["thumbnail"] = entry.get("thumbnail") or (thumbs[-1].get("url") if thumbs else None)
    return kept


def download(spec: dict, emit) -> dict:
    """Fetch one video into spec["staging_dir"] with tags and cover embedded."""
    staging = spec["staging_dir"]
    os.makedirs(staging, exist_ok=True)
    args = [*spec["format_args"], *NATIVE_ONLY, "-P", staging, "-o", "%(id)s.%(ext)s"]
    args.append("--no-playlist")
    progress = _Progress(emit)
    with _downloader(spec, args, progress) as ydl:
        info = ydl.sanitize_info(ydl.extract_info(spec["url"], download=True))
    downloads = info.get("requested_downloads") or [{}]
    path = downloads[-1].get("filepath") or info.get("filepath")
    if not path or not os.path.isfile(path):
        raise RuntimeError("yt-dlp finished without a file")
    keep = ("id", "title", "uploader", "channel", "channel_id", "upload_date", "timestamp")
    keep += ("description", "duration", "thumbnail", "webpage_url", "extractor_key", "ext")
    return {"path": path, "info": {key: info.get(key) for key in keep}}


class _Progress:
    """Turns yt-dlp's hooks into progress lines, a few a second at most."""

    def __init__(self, emit):
        self.emit, self.last, self.phase = emit, 0.0, None
        self.bytes: tuple[int, int | None] = (0, None)  # downloaded, total: kept while processing

    def _send(self, line: dict, force: bool = False) -> None:
        now = time.monotonic()
        if force or line["phase"] != self.phase or now - self.last >= PROGRESS_EVERY:
            self.last, self.phase = now, line["phase"]
            self.emit({"event": "progress", **line})

    def download_hook(self, d: dict) -> None:
        if d.get("status") not in ("downloading", "finished"):
            return
        info = d.get("info_dict") or {}
        parts = [f.get("format_id") for f in info.get("requested_formats") or []] or [None]
        index = parts.index(info.get("format_id")) if info.get("format_id") in parts else 0
        done = d.get("downloaded_bytes") or 0
        total = d.get("total_bytes") or d.get("total_bytes_estimate")
        share = (done / total) if total else 0.0
        if d["status"] == "finished":
            share = 1.0
        pct = round(100 * (index + min(share, 1.0)) / len(parts), 1)
        line = {"phase": "downloading", "pct": pct, "speed": d.get("speed"), "eta": d.get("eta")}
        self.bytes = (done, total)
        self._send({**line, "downloaded": done, "total": total}, d["status"] == "finished")

    def postprocessor_hook(self, d: dict) -> None:
        if d.get("status") == "started":
            line = {"phase": "processing", "pct": 100.0, "speed": None, "eta": None}
            done, total = self.bytes
            self._send({**line, "downloaded": done, "total": total, "step": d.get("postprocessor")})


def show_art(spec: dict, _emit) -> dict:
    """Write poster.jpg and fanart.jpg from one image URL, converting it to JPEG if need be."""
    folder, written = spec["folder"], []
    missing = [n for n in ("poster.jpg", "fanart.jpg") if not os.path.exists(f"{folder}/{n}")]
    if not missing:
        return {"written": written}
    with _downloader(spec, []) as ydl:
        with ydl.urlopen(spec["image_url"]) as response:
            data = response.read(20 * 1024 * 1024)
    os.makedirs(folder, exist_ok=True)
    source = os.path.join(folder, ".show-art.part")
    try:
        with open(source, "wb") as handle:
            handle.write(data)
        jpeg = source if data[:3] == b"\xff\xd8\xff" else _to_jpeg(source)
        for name in missing:
            partial = os.path.join(folder, f".{name}.part")
            shutil.copyfile(jpeg, partial)
            os.replace(partial, os.path.join(folder, name))
            written.append(name)
    finally:
        for leftover in (source, source + ".jpg"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return {"written": written}


def _to_jpeg(source: str) -> str:
    target = source + ".jpg"
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", source]
    subprocess.run([*command, "-frames:v", "1", "-f", "mjpeg", target], check=True, timeout=120)
    return target


ACTIONS = {"list": listing, "fetch": download, "art": show_art}

if __name__ == "__main__":
    sys.exit(main())
