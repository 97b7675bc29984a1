"""Live updates: workers publish events, each web process fans them out to its sockets."""

from flask import Blueprint

bp = Blueprint("realtime", __name__)


@bp.before_app_request
def _alive():
    from app.realtime import heartbeat

    heartbeat.on_request()


from app.realtime import routes  # noqa: E402,F401
