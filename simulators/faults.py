"""Fault switches shared by the simulators: slow, down, a forced status, a garbled body."""

import time
from collections.abc import Callable
from http import HTTPStatus

from werkzeug.wrappers import Response

# Statuses a real service sends with a Retry-After header.
_RETRY_AFTER = {429: "1", 503: "1"}


def phrase(status: int) -> str:
    """Return the standard reason phrase for an HTTP status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def html_error(status: int) -> Response:
    """Answer the bare HTML error page a web server sends (Plex Media Server's style)."""
    text = f"{status} {phrase(status)}"
    body = f"<html><head><title>{phrase(status)}</title></head><body><h1>{text}</h1></body></html>"
    response = Response(body, status, content_type="text/html")
    if status in _RETRY_AFTER:
        response.headers["Retry-After"] = _RETRY_AFTER[status]
    return response


def fault_response(
    switches,
    *,
    wants_json: bool,
    error: Callable[[int], Response] = html_error,
    json_type: str = "application/json",
    xml_type: str = "text/xml;charset=utf-8",
) -> Response | None:
    """Sleep as asked, then return the fault the switches ask for, or None to answer normally.

    ``switches`` is any object with ``down``, ``slow_seconds``, ``garbage`` and ``status_override``;
    a missing attribute counts as off. ``error(status)`` builds the body of a forced status.
    """
    slow = getattr(switches, "slow_seconds", 0) or 0
    if slow > 0:
        time.sleep(slow)
    if getattr(switches, "down", False):
        return error(503)
    status = getattr(switches, "status_override", None)
    if status:
        response = error(int(status))
        if int(status) in _RETRY_AFTER:
            response.headers.setdefault("Retry-After", _RETRY_AFTER[int(status)])
        return response
    if getattr(switches, "garbage", False):
        # A body cut off mid-way: the right content type, but it does not parse.
        if wants_json:
            return Response('{"MediaContainer": {"size": 1, "Metad', 200, content_type=json_type)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="1"><Dire'
        return Response(body, 200, content_type=xml_type)
    return None
