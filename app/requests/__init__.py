"""Requests for movies and shows: rules, approvals, delivery to Overseerr, live status."""

from flask import Blueprint

bp = Blueprint("requests", __name__)
