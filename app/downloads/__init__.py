"""Downloads: YouTube (and other yt-dlp sites) into Plex as shows and collections."""

from flask import Blueprint

bp = Blueprint("downloads", __name__, url_prefix="/downloads")

from app.downloads import (  # noqa: E402,F401
    fragments,
    routes,
    subscription_fragments,
    subscription_routes,
    words,
)
