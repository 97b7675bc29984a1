"""Operations: health, readiness, metrics and the system check."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from app.ops import routes  # noqa: E402,F401
