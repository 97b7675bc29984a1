"""The signed-in home page."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from app.dashboard import fragments, routes  # noqa: E402,F401
