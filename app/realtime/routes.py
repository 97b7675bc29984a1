"""The one WebSocket a page opens: /ws."""

import queue

from flask import current_app
from flask_login import current_user
from simple_websocket import ConnectionClosed

from app.extensions import db, sock
from app.realtime import bp
from app.realtime.events import channels_for
from app.realtime.fragments import render_event
from app.realtime.hub import Hub

POLICY_VIOLATION = 1008
WAKE_SECONDS = 5  # how often an idle socket checks that its peer is still there


def get_hub() -> Hub:
    hub = current_app.extensions.get("medianest.hub")
    if hub is None:
        hub = current_app.extensions.setdefault(
            "medianest.hub", Hub(current_app.config["REDIS_URL"])
        )
    return hub


def ends_this_session(event: dict, session_token: str) -> bool:
    """A session.ended event closes every socket of that user except the one it keeps."""
    return event.get("type") == "session.ended" and event.get("keep") != session_token


@sock.route("/ws", bp=bp)
def socket(ws):
    if not current_user.is_authenticated:
        ws.close(reason=POLICY_VIOLATION, message="Sign in first")
        return
    channels = channels_for(current_user.id, current_user.is_admin)
    user_id, session_token = current_user.id, current_user.session_token
    db.session.remove()  # hold no database connection while this socket waits
    hub = get_hub()
    inbox = hub.subscribe(channels)
    try:
        while ws.connected:
            try:
                message = inbox.get(timeout=WAKE_SECONDS)
            except queue.Empty:
                continue
            if ends_this_session(message.event, session_token):
                ws.close(reason=POLICY_VIOLATION, message="Signed out")
                break
            html = message.html_for(user_id, render_event)
            if html:
                ws.send(html)
    except ConnectionClosed:
        pass
    finally:
        hub.unsubscribe(inbox, channels)
