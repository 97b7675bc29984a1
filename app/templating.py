"""Template filters and the values every page needs (the bell's count)."""

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Flask, current_app, g, url_for
from flask_login import current_user

from app.security import is_safe_next


def ago(value) -> str:
    """'3 minutes ago' for a datetime or an ISO string."""
    if value is None:
        return "never"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 45:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def is_stale(iso_time: str | None, interval_seconds: int) -> bool:
    """Whether a scheduled result is older than three of its intervals."""
    if not iso_time:
        return False
    age = datetime.now(UTC) - datetime.fromisoformat(iso_time)
    return age.total_seconds() > 3 * interval_seconds


def my_unread_count() -> int:
    """Called by the layout only, so fragments pushed over the socket never query for it."""
    from app.notifications.services import unread_count

    return unread_count(current_user.id) if current_user.is_authenticated else 0


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def _prefix(endpoint: str, **values) -> str:
    """url_for() once a request per endpoint: a grid of 48 posters needs 96 links, and
    url_for costs about 40 µs each."""
    kept = g.setdefault("medianest_url_prefixes", {})
    if endpoint not in kept:
        kept[endpoint] = url_for(endpoint, **values)
    return kept[endpoint]


def item_url(rating_key: int) -> str:
    """The item page of a catalog item."""
    return _prefix("library.item", rating_key=0)[:-1] + str(int(rating_key))


def poster_url(path: str, width: int = 300) -> str:
    """A Plex image through the image proxy, at one of its widths."""
    return _prefix("library.image") + "?" + urlencode({"path": path, "w": int(width)})


def init_app(app: Flask) -> None:
    app.add_template_global(item_url)
    app.add_template_global(poster_url)
    app.add_template_filter(ago)
    app.add_template_global(is_stale)
    app.add_template_global(is_safe_next)
    app.add_template_global(my_unread_count)
    app.add_template_global(has_endpoint)
