"""Posters from the Plex server, resized by Plex and cached on disk; the token stays on our side."""

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests
from flask import current_app

from app import settings

log = logging.getLogger(__name__)

WIDTHS = (150, 300, 600)
ASPECT = 1.5  # posters are 2:3
MAX_BYTES = 8 * 1024 * 1024
TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# The only paths fetched: an item's or a collection's own images, nothing else on the server.
ALLOWED = re.compile(
    r"/library/(metadata|collections)/([0-9]{1,12})/(thumb|art|composite)(/[0-9]{1,12})?"
)


class Unavailable(Exception):
    """The Plex server could not give this image now."""


class Missing(Exception):
    """The Plex server has no such image."""


@dataclass
class Image:
    body: bytes
    content_type: str
    etag: str


def allowed_path(raw: str | None) -> tuple[str, int] | None:
    """The path and the rating key in it when `raw` is an image path we fetch, else None."""
    if not raw or len(raw) > 200:
        return None
    match = ALLOWED.fullmatch(raw)
    if match is None:
        return None
    return raw, int(match.group(2))


def snap_width(raw: str | None) -> int:
    """The smallest width we serve at or above the one asked for (the default when odd)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) < 6):
        return WIDTHS[1]
    wanted = int(raw)
    return next((w for w in WIDTHS if w >= wanted), WIDTHS[-1])


def cache_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "cache" / "images"


def _cache_file(path: str, width: int) -> Path:
    key = hashlib.sha256(f"{path}\n{width}".encode()).hexdigest()
    return cache_dir() / key[:2] / key


def _read_cached(file: Path) -> Image | None:
    try:
        data = file.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    parts = head.decode("ascii", "replace").split(" ")
    if len(parts) != 2 or parts[0] not in TYPES or not body:
        return None
    return Image(body, parts[0], parts[1])


def _write_cached(file: Path, image: Image) -> None:
    """Write the file whole or not at all: a reader never sees half an image."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(f"{image.content_type} {image.etag}\n".encode("ascii"))
            out.write(image.body)
        os.replace(temporary, file)
    except OSError as exc:
        log.warning("Could not cache a poster: %s", exc)


def _fetch(path: str, width: int) -> Image:
    base, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    if not (base and token):
        raise Unavailable("Plex is not connected.")
    params = {
        "url": path,
        "width": width,
        "height": int(width * ASPECT),
        "minSize": 1,
        "upscale": 1,
    }
    headers = {"X-Plex-Token": token, "Accept": "image/*", "X-Plex-Product": "MediaNest"}
    timeout = current_app.config["LIBRARY_IMAGE_TIMEOUT"]
    try:
        with requests.get(
            base.rstrip("/") + "/photo/:/transcode",
            params=params,
            headers=headers,
            timeout=(3, timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            return read_image(response, "Plex", path, missing=(400, 404))
    except requests.RequestException as exc:
        raise Unavailable(str(exc)) from None


def read_image(response, source: str, name: str, missing=(400, 404)) -> Image:
    """The image in an answer from source: its type checked, its size bounded, never empty."""
    if response.status_code in missing:
        raise Missing(name)
    if response.status_code != 200:
        raise Unavailable(f"{source} answered HTTP {response.status_code}.")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in TYPES:
        raise Unavailable(f"{source} sent {content_type or 'no type'}, not an image.")
    body = b""
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > MAX_BYTES:
            raise Unavailable("The image is larger than we accept.")
    if not body:
        raise Unavailable(f"{source} sent an empty image.")
    return Image(body, content_type, hashlib.sha256(body).hexdigest()[:32])


def poster(path: str, width: int) -> Image:
    """The image at `path` resized to `width`, from the cache or else from Plex."""
    return cached_or_fetched(_cache_file(path, width), lambda: _fetch(path, width))


def cached_or_fetched(file: Path, fetch) -> Image:
    """The image kept in file, else fetch() it and keep it there for next time."""
    cached = _read_cached(file)
    if cached is not None:
        return cached
    image = fetch()
    _write_cached(file, image)
    return image
