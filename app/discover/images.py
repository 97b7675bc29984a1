"""TMDB's posters and backdrops through our server, cached on disk: the browser never calls TMDB."""

import hashlib
import re
from pathlib import Path

import requests
from flask import current_app

from app.integrations import tmdb
from app.library.images import (
    MAX_BYTES,
    TYPES,
    Image,
    Missing,
    Unavailable,
    _read_cached,
    _write_cached,
)

# The sizes we serve, and the TMDB size each is read at ("original" would be megabytes).
SIZES = {"w185": "w185", "w342": "w342", "w780": "w780", "w1280": "w1280", "original": "w1280"}
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\.(jpg|png)")


def allowed(size: str, name: str) -> tuple[str, str] | None:
    """The TMDB size and file name to fetch, or None when either is not one we serve."""
    if size not in SIZES or not NAME.fullmatch(name or ""):
        return None
    return SIZES[size], name


def _cache_file(size: str, name: str) -> Path:
    key = hashlib.sha256(f"tmdb\n{size}\n{name}".encode()).hexdigest()
    return Path(current_app.config["DATA_DIR"]) / "cache" / "tmdb-images" / key[:2] / key


def _fetch(size: str, name: str) -> Image:
    url = tmdb.image_url(size, name)
    try:
        with requests.get(
            url, timeout=(3.05, current_app.config["TMDB_TIMEOUT"]), stream=True,
            allow_redirects=False, headers={"Accept": "image/*"},
        ) as response:  # fmt: skip
            if response.status_code in (400, 403, 404):
                raise Missing(name)
            if response.status_code != 200:
                raise Unavailable(f"TMDB's image host answered HTTP {response.status_code}.")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type not in TYPES:
                raise Unavailable(f"TMDB sent {content_type or 'no type'}, not an image.")
            body = b""
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise Unavailable("The image is larger than we accept.")
    except requests.RequestException as exc:
        raise Unavailable(str(exc)) from None
    if not body:
        raise Unavailable("TMDB sent an empty image.")
    return Image(body, content_type, hashlib.sha256(body).hexdigest()[:32])


def picture(size: str, name: str) -> Image:
    """The image from our disk cache, else from TMDB's image host (then kept)."""
    file = _cache_file(size, name)
    cached = _read_cached(file)
    if cached is not None:
        return cached
    image = _fetch(size, name)
    _write_cached(file, image)
    return image
