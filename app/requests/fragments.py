"""Live request status: the badge, the history and an admin's row buttons, on every open page."""

from types import SimpleNamespace

from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.models import MediaRequest
from app.realtime.fragments import renders
from app.requests import services


@renders("request.changed")
def status_changed(event: dict) -> str:
    """Rendered from the event alone: the people it is published to may see it."""
    req = SimpleNamespace(
        id=int(event["id"]), status=str(event["status"]), delivery=event.get("delivery")
    )
    html = render_template("requests/_status.html", req=req, oob=True)
    if current_user.is_admin:
        html += render_template("requests/_row_actions.html", req=req, oob=True)
    return html


@renders("request.changed")
def history_changed(event: dict) -> str:
    """The request page's history, read again (the client drops it on other pages)."""
    try:
        req = db.session.get(MediaRequest, int(event["id"]))
        if req is None or not services.may_see(req, current_user):
            return ""
        return render_template("requests/_history.html", req=req, events=req.events, oob=True)
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection
