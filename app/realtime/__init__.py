"""Live updates: workers publish events, each web process fans them out to its sockets."""

from flask import Blueprint

bp = Blueprint("realtime", __name__)

from app.realtime import routes  # noqa: E402,F401
