"""Video thumbnails through our own address: pages may only show images from 'self'.

Only addresses MediaNest signed itself (ones a preview or a download read from the site) are
fetched, never one a browser makes up; and never one inside the network unless an admin named
that host, as for downloads.
"""

import hashlib
import socket
from pathlib import Path
from urllib.parse import urlsplit

import requests
from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from app.downloads import setup
from app.downloads.urls import MAX_URL_LENGTH, is_inside
from app.library.images import Image, Missing, Unavailable, cached_or_fetched, read_image

SALT = "medianest/downloads/thumbnail"
TIMEOUT = (3, 6)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def thumb_url(address: str | None) -> str | None:
    """Our address for a site's thumbnail, or None when there is none worth showing."""
    if not address or len(address) > MAX_URL_LENGTH:
        return None
    try:
        if urlsplit(address).scheme not in ("http", "https"):
            return None
    except ValueError:  # what a site sent is not an address at all
        return None
    return url_for("downloads.thumbnail", token=_signer().dumps(address))


def address_of(token: str) -> str | None:
    """The address we signed into this token, or None for anything else."""
    if len(token) > 4 * MAX_URL_LENGTH:
        return None
    try:
        address = _signer().loads(token)
    except BadSignature:
        return None
    return address if isinstance(address, str) else None


def _named(host: str, port: int | None) -> bool:
    hosts = setup.allowed_hosts()
    return host in hosts or f"{host}:{port}" in hosts


def _refuse_inside(address: str) -> None:
    try:
        parts = urlsplit(address)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise Missing(address) from None
    if not host:
        raise Missing(address)
    if _named(host, port):
        return
    try:
        answers = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        raise Unavailable(f"{host} could not be found.") from None
    if not answers or any(is_inside(a) for a in answers):
        raise Missing(address)


def _fetch(address: str) -> Image:
    _refuse_inside(address)
    try:
        with requests.get(
            address,
            headers={"Accept": "image/*", "User-Agent": "MediaNest"},
            timeout=TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            return read_image(response, "The video site", address, missing=(403, 404, 410))
    except requests.RequestException as exc:
        raise Unavailable(str(exc)) from None


def thumbnail(address: str) -> Image:
    """The image at a signed address, from the disk cache or else from the site."""
    key = hashlib.sha256(b"thumb\n" + address.encode()).hexdigest()
    file = Path(current_app.config["DATA_DIR"]) / "cache" / "thumbs" / key[:2] / key
    return cached_or_fetched(file, lambda: _fetch(address))
