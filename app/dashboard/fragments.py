"""Live updates of the service cards, the person's downloads and the owner's next steps."""

from types import SimpleNamespace

from flask import render_template
from flask_login import current_user

from app.bounded import parse_id
from app.dashboard import board, checklist
from app.downloads.views import STATUS_WORDS
from app.extensions import db
from app.realtime.fragments import renders


@renders("health.changed")
def health_changed(event: dict) -> str | None:
    """The changed cards, rendered once per event for admins and once for everyone else."""
    return board.live_update(event, bool(current_user.is_admin))


@renders("download.changed")
def download_status(event: dict) -> str | None:
    """A download's status on the dashboard, from the event alone (its audience may see it)."""
    download_id, status = parse_id(event.get("download_id")), event.get("status")
    if download_id is None or status not in STATUS_WORDS:
        return None
    d = SimpleNamespace(id=download_id, status=status)
    return render_template("dashboard/_download_status.html", d=d, oob=True)


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
