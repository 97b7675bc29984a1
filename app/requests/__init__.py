"""Requests for movies and shows: rules, approvals, delivery to Overseerr, live status."""

from flask import Blueprint

bp = Blueprint("requests", __name__)

from app.requests import admin_routes, fragments, limits_routes, routes, words  # noqa: E402,F401
