"""Invitations: the link an admin sends, and signing up with it."""

from flask import Blueprint

bp = Blueprint("invites", __name__, url_prefix="/invite")

from app.invites import routes  # noqa: E402,F401
