"""Downloads: YouTube (and other yt-dlp sites) into Plex as shows and collections."""

from flask import Blueprint

bp = Blueprint("downloads", __name__, url_prefix="/downloads")

from app.downloads import fragments, routes, subscription_routes, words  # noqa: E402,F401
