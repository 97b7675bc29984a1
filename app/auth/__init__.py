"""Signing in and out with a MediaNest account."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import account_routes, oidc_routes, plex_routes, routes  # noqa: E402,F401
