"""The library: the catalog synced from Plex, its admin page and Plex's webhook."""

from flask import Blueprint

bp = Blueprint("library", __name__)

from app.library import browse, fragments, mail_images, routes  # noqa: E402,F401
