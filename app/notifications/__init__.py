"""Notifications: the bell, the list, and live toasts."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from app.notifications import fragments, routes  # noqa: E402,F401
