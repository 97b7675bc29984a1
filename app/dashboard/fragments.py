"""Live updates of the status card and of the owner's next steps."""

from flask import render_template
from flask_login import current_user

from app.dashboard import checklist
from app.extensions import db
from app.realtime.fragments import renders


@renders("status.checking")
def checking(_event: dict) -> str:
    return render_template("components/_status_state.html", checking=True, oob=True)


@renders("status.updated")
def updated(event: dict) -> str:
    return render_template("components/_status_card.html", status=event.get("status"), oob=True)


@renders("sync.finished")
def sync_finished(_event: dict) -> str:
    """A finished sync ticks the owner's library step (when the list is still out)."""
    if not current_user.is_owner:
        return ""
    try:
        steps = checklist.checklist()
        if steps is None:
            return ""
        return render_template("dashboard/_checklist.html", checklist=steps, oob=True)
    finally:
        db.session.remove()
