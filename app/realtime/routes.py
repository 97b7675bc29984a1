"""The one WebSocket a page opens: /ws."""

import queue
from socket import SHUT_RDWR
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user
from simple_websocket import ConnectionClosed

from app.extensions import db, sock
from app.realtime import bp
from app.realtime.events import channels_for
from app.realtime.fragments import render_event
from app.realtime.hub import Hub

POLICY_VIOLATION = 1008
RECONNECT = 1012  # "service restart": the page's socket reconnects by itself, with fresh access
# Sent once this socket hears events: the page then marks itself live (static/js/app.js).
LIVE = '<span id="live-state" hidden></span>'
WAKE_SECONDS = 5  # how often an idle socket checks that its peer is still there
CLOSE_WAIT_SECONDS = 2


def get_hub() -> Hub:
    hub = current_app.extensions.get("medianest.hub")
    if hub is None:
        hub = current_app.extensions.setdefault(
            "medianest.hub", Hub(current_app.config["REDIS_URL"])
        )
    return hub


def close_code_for(event: dict, session_id: int) -> int | None:
    """How an event about the person's access closes this socket, or None when it does not."""
    if event.get("type") == "session.ended" and session_id in (event.get("sessions") or ()):
        return POLICY_VIOLATION
    if event.get("type") == "access.changed":
        return RECONNECT
    return None


def same_origin() -> bool:
    """Only this site's own pages may open the socket (a cookie alone is no proof)."""
    origin = request.headers.get("Origin", "")
    if not origin:
        return False
    allowed = {urlsplit(request.host_url).netloc}
    public = urlsplit(current_app.config["PUBLIC_URL"] or "").netloc
    if public:
        allowed.add(public)
    return urlsplit(origin).netloc in allowed


def close(ws, code: int, message: str) -> None:
    """Close from our side, wait briefly for the browser's answer, then end the connection.

    Otherwise a development server writes its HTTP epilogue behind the close frame, which a
    browser still on the page reports as an invalid frame.
    """
    ws.close(reason=code, message=message)
    ws.thread.join(CLOSE_WAIT_SECONDS)
    try:
        ws.sock.shutdown(SHUT_RDWR)  # the server's own file on the socket keeps it open otherwise
    except OSError:
        pass  # the browser already hung up


@sock.route("/ws", bp=bp)
def socket(ws):
    if not same_origin():
        close(ws, POLICY_VIOLATION, "Wrong origin")
        return
    if not current_user.is_authenticated:
        close(ws, POLICY_VIOLATION, "Sign in first")
        return
    channels = channels_for(current_user.id, current_user.is_admin)
    user_id, session_id = current_user.id, current_user.session_id
    db.session.remove()  # hold no database connection while this socket waits
    hub = get_hub()
    inbox = hub.subscribe(channels)
    try:
        ws.send(LIVE)  # only now can no event for this page be missed
        while ws.connected:
            try:
                message = inbox.get(timeout=WAKE_SECONDS)
            except queue.Empty:
                continue
            code = close_code_for(message.event, session_id)
            if code is not None:
                close(ws, code, "Access changed")
                break
            html = message.html_for(user_id, render_event)
            if html:
                ws.send(html)
    except ConnectionClosed:
        pass
    finally:
        hub.unsubscribe(inbox, channels)
