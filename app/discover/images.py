"""TMDB's posters and backdrops through our server, cached on disk: the browser never calls TMDB."""

import hashlib
import re
from pathlib import Path

import requests
from flask import current_app

from app.integrations import tmdb
from app.library.images import (  # Missing and Unavailable are what picture() raises
    Image,
    Missing,
    Unavailable,
    cached_or_fetched,
    read_image,
)

__all__ = ["Missing", "Unavailable", "allowed", "picture"]

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
            return read_image(response, "TMDB's image host", name, missing=(400, 403, 404))
    except requests.RequestException as exc:
        raise Unavailable(str(exc)) from None


def picture(size: str, name: str) -> Image:
    """The image from our disk cache, else from TMDB's image host (then kept)."""
    return cached_or_fetched(_cache_file(size, name), lambda: _fetch(size, name))
