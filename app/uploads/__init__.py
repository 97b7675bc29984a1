"""Home videos: resumable uploads (the tus protocol, server side ours), processing, into Plex."""

from flask import Blueprint

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

from app.uploads import fragments, plex_routes, routes, tus, words  # noqa: E402,F401
