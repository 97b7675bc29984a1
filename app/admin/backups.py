"""Admin → Backups: back up now, the passphrase, the schedule and retention, every backup made."""

from flask import abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from app.admin import backups_services as services
from app.admin import bp
from app.auth.decorators import admin_required
from app.backups import services as backups
from app.extensions import db
from app.htmx import render
from app.models.backups import DONE, Backup


def _context(values=None, errors=None) -> dict:
    rows = backups.listing()
    return {
        "values": values or services.current(),
        "errors": errors or {},
        "rows": rows,
        "busy": any(r.status in ("queued", "running") for r in rows),
        "passphrase": services.passphrase_state(),
        "folder": backups.backup_dir(),
    }


def _page(values=None, errors=None, status_code=200):
    return render("admin/backups.html", status_code=status_code, **_context(values, errors))


@bp.get("/backups")
@admin_required
def backups_page():
    return _page()


@bp.get("/backups/list")
@admin_required
def backups_list():
    """The registry alone, which the page reloads while a backup is under way."""
    return render("admin/backups.html", block="registry", **_context())


@bp.post("/backups/now")
@admin_required
def backups_now():
    try:
        row = backups.request_backup("admin", current_user.username)
    except backups.BackupRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.backups_page"))
    db.session.commit()
    flash(f"Backup {row.id} is under way; this page shows when it is done and verified.", "success")
    return redirect(url_for("admin.backups_page"))


@bp.post("/backups/passphrase")
@admin_required
def backups_passphrase():
    result = services.save_passphrase(request.form, actor=current_user)
    if result.errors:
        return _page(errors=result.errors, status_code=400)
    flash(
        "Passphrase saved. Keep a copy away from this server: no backup opens without it.",
        "success",
    )
    return redirect(url_for("admin.backups_page"))


@bp.post("/backups/schedule")
@admin_required
def backups_schedule():
    result = services.save_schedule(request.form, actor=current_user)
    if result.errors:
        typed = {n: str(request.form.get(n, ""))[:20] for n in services.NUMBERS}
        typed["enabled"] = request.form.get("enabled") == "on"
        return _page(typed, result.errors, 400)
    flash(
        "Saved." if result.changed else "Nothing changed.", "success" if result.changed else "info"
    )
    return redirect(url_for("admin.backups_page"))


@bp.get("/backups/<int:backup_id>/download")
@admin_required
def backups_download(backup_id: int):
    """The sealed archive, for a copy elsewhere: found by its registry row, never by a path."""
    row = db.session.get(Backup, backup_id)
    if row is None or row.status != DONE:
        abort(404)
    try:
        path = backups.path_of(row)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(
        path, as_attachment=True, download_name=row.filename, mimetype="application/octet-stream"
    )
