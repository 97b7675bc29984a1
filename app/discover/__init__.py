"""Discover: what is trending, popular and upcoming, and any movie or show, to request."""

from flask import Blueprint

bp = Blueprint("discover", __name__)

from app.discover import routes  # noqa: E402,F401
