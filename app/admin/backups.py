"""Admin → Backups: back up now, the passphrase, the schedule and retention, every backup made."""

from flask import Response, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from app.admin import backups_bucket as bucket_form
from app.admin import backups_services as services
from app.admin import bp
from app.auth.decorators import admin_required
from app.backups import admin_restore, offsite
from app.backups import bucket as target
from app.backups import services as backups
from app.extensions import db
from app.htmx import render
from app.models.backups import DONE, UPLOADED, Backup

SEALED = "application/octet-stream"


def _context(values=None, errors=None, bucket=None) -> dict:
    rows = backups.listing()
    return {
        "values": values or services.current(),
        "bucket": bucket or bucket_form.current(),
        "bucket_on": target.configured() is not None,
        "last_restore": admin_restore.last(),
        "errors": errors or {},
        "rows": rows,
        "busy": any(r.status in ("queued", "running") for r in rows),
        "passphrase": services.passphrase_state(),
        "folder": backups.backup_dir(),
    }


def _page(values=None, errors=None, status_code=200, bucket=None, **extra):
    context = _context(values, errors, bucket)
    return render("admin/backups.html", status_code=status_code, **context, **extra)


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


@bp.post("/backups/bucket")
@admin_required
def backups_bucket():
    result = bucket_form.save(request.form, actor=current_user)
    if result.errors:
        return _page(errors=result.errors, status_code=400, bucket=bucket_form.typed(request.form))
    flash(
        "Saved." if result.changed else "Nothing changed.", "success" if result.changed else "info"
    )
    return redirect(url_for("admin.backups_page") + "#bucket")


@bp.post("/backups/bucket/test")
@admin_required
def backups_bucket_test():
    """Try the bucket the form describes, saved or not, with a small test object."""
    errors, ok, failure = bucket_form.test(request.form)
    return _page(
        errors=errors,
        status_code=400 if errors else 200,
        bucket=bucket_form.typed(request.form),
        bucket_ok=ok,
        bucket_failure=failure,
    )


@bp.post("/backups/<int:backup_id>/send")
@admin_required
def backups_send(backup_id: int):
    row = db.session.get(Backup, backup_id)
    if row is None:
        abort(404)
    if offsite.send_again(row):
        flash(f"Backup {row.id} is being sent to the bucket again.", "success")
    else:
        flash("That backup cannot be sent: no bucket is on, or it is there or on its way.", "info")
    return redirect(url_for("admin.backups_page"))


@bp.get("/backups/<int:backup_id>/download")
@admin_required
def backups_download(backup_id: int):
    """The sealed archive, for a copy elsewhere: found by its registry row, never by a path;
    from the bucket when retention removed the local file."""
    row = db.session.get(Backup, backup_id)
    if row is None:
        abort(404)
    try:
        path = backups.path_of(row)
    except FileNotFoundError:
        abort(404)
    if row.status == DONE and path.is_file():
        return send_file(path, as_attachment=True, download_name=row.filename, mimetype=SEALED)
    return _from_bucket(row)


def _from_bucket(row: Backup):
    found = target.configured()
    if row.bucket_status != UPLOADED or found is None:
        abort(404)
    try:
        size, chunks = target.stream(found, row.bucket_key)
    except target.BucketError as exc:
        flash(f"The bucket's copy could not be read: {exc}", "error")
        return redirect(url_for("admin.backups_page"))
    headers = {
        "Content-Disposition": f'attachment; filename="{row.filename}"',
        "Content-Length": str(size),
    }
    return Response(chunks, mimetype=SEALED, headers=headers)
