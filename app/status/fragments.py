"""Live Status page: a health.changed event redraws the changed services' state and uptime."""

import threading

from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.realtime.fragments import renders
from app.status import services

MAX_KEYS = 1000
_cache: dict[tuple, str] = {}
_cache_lock = threading.Lock()
CACHED = 8  # events remembered: each is rendered once per audience (admin or not)


def _keys(event: dict) -> list[str]:
    raw = event.get("keys")
    if not isinstance(raw, list):
        return []
    return [key for key in raw[:MAX_KEYS] if isinstance(key, str) and 0 < len(key) <= 80]


@renders("health.changed")
def changed(event: dict) -> str | None:
    """The live part of each changed service this person may see, swapped in by id."""
    if not current_user.is_authenticated:
        return None
    keys = _keys(event)
    if not keys:
        return None
    audience = (event.get("at"), tuple(keys), bool(current_user.is_admin))
    if audience[0] is not None:
        with _cache_lock:
            if audience in _cache:
                return _cache[audience]
    try:
        states = services.visible_states(current_user, keys)
        shown = services.service_views(states, current_user.is_admin)
        html = "".join(
            render_template("status/_live.html", service=service, oob=True) for service in shown
        )
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection
    if audience[0] is not None:
        with _cache_lock:
            while len(_cache) >= CACHED:
                _cache.pop(next(iter(_cache)))
            _cache[audience] = html
    return html or None
