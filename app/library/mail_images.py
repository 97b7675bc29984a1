"""Posters for email: a mail client has no session, so the newsletter links signed addresses.

A token names one poster at one width; it is served without signing in only while its item is
in a library that is not hidden, so a newsletter never becomes a key to anything else.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.library import bp, catalog, images
from app.library.browse import image_response, placeholder

SALT = "medianest/library/mail-image"
MAX_TOKEN = 400


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(path: str, width: int) -> str | None:
    """The token of a poster path we fetch, or None for any other path."""
    if images.allowed_path(path) is None:
        return None
    return _signer().dumps([path, images.snap_width(str(width))])


def _read(token: str) -> tuple[str, int, int] | None:
    """(path, rating key, width) signed into the token, or None for anything else."""
    if len(token) > MAX_TOKEN:
        return None
    try:
        value = _signer().loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], int)):
        return None
    allowed = images.allowed_path(value[0]) if isinstance(value[0], str) else None
    if allowed is None or value[1] not in images.WIDTHS:
        return None
    return allowed[0], allowed[1], value[1]


@bp.get("/library/mail-image/<token>")
def mail_image(token: str):
    found = _read(token)
    if found is None:
        return placeholder(404)
    path, rating_key, width = found
    if not catalog.image_allowed(rating_key, include_hidden=False):
        return placeholder(404)
    return image_response(lambda: images.poster(path, width), max_age=86400)
