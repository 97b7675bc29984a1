"""Home videos: resumable uploads (the tus protocol, server side ours), then processing."""

from flask import Blueprint

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

from app.uploads import tus  # noqa: E402,F401
