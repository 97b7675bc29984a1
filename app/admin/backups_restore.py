"""Admin → Backups → Restore: what a backup replaces, the passphrase, and the restore itself,
run by a worker while the site shows that it is being restored. For the owner only: it puts
back every person and setting as they were."""

from pathlib import Path

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.engine import make_url

from app.admin import bp
from app.auth.decorators import owner_required
from app.backups import admin_restore, archive, services
from app.extensions import db
from app.htmx import render
from app.models.backups import Backup


def _row(backup_id: int) -> Backup:
    row = db.session.get(Backup, backup_id)
    if row is None or not admin_restore.available(row):
        abort(404)
    return row


def _page(row: Backup, error: str = "", status_code: int = 200):
    return render(
        "admin/backup_restore.html",
        status_code=status_code,
        row=row,
        error=error,
        database=make_url(str(db.engine.url)).render_as_string(hide_password=True),
        files=[p.name for p in archive.state_files(Path(current_app.config["DATA_DIR"]))],
        has_passphrase=bool(services.passphrase()),
    )


@bp.get("/backups/<int:backup_id>/restore")
@owner_required
def backups_restore(backup_id: int):
    return _page(_row(backup_id))


@bp.post("/backups/<int:backup_id>/restore")
@owner_required
def backups_restore_start(backup_id: int):
    row = _row(backup_id)
    if request.form.get("understood") != "on":
        return _page(row, "Tick the box to say everything since this backup may be lost.", 400)
    typed = request.form.get("passphrase")
    typed = typed if isinstance(typed, str) and len(typed) <= 1024 else ""
    try:
        admin_restore.start(row, typed, current_user.username)
    except admin_restore.RestoreRefused as exc:
        return _page(row, str(exc), 400)
    flash("The restore has started. Sign in again once it is done if you are asked.", "success")
    target = url_for("admin.backups_page")
    if request.headers.get("HX-Request"):
        # A whole page load, not a swap: every page answers 503 "being restored" until it is
        # done, and that page reloads itself, which a swapped-in body would not.
        return "", 204, {"HX-Redirect": target}
    return redirect(target)
