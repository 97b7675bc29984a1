"""One person's own upload space, set by an admin; empty follows Admin → Uploads."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import audit, settings
from app.admin import bp
from app.admin.downloads_settings_limits import parse
from app.auth.decorators import admin_required
from app.extensions import db
from app.htmx import render
from app.models import User
from app.uploads import storage
from app.uploads.views import size_words

FIELDS = {"quota_upload_gb": ("quota_upload_gb", "Upload space in GB", 1_000_000, False)}


def usage_line(user: User) -> str:
    used = size_words(storage.used_bytes(user.id))
    limit = storage.quota_bytes(user)
    if user.is_admin:
        return f"{used} uploaded · admins have no upload limit"
    if limit is None:
        return f"{used} uploaded · no limit"
    return f"{used} of {limit / storage.GB:g} GB used"


bp.add_app_template_global(usage_line, "upload_usage")


def _page(user: User, values: dict, errors: dict | None = None, status_code: int = 200):
    return render(
        "admin/limits.html",
        status_code=status_code,
        user=user,
        heading="Upload space",
        intro=f"How much {user.username}'s home-video uploads may take together.",
        save_url=url_for("admin.upload_limits_save", user_id=user.id),
        values=values,
        errors=errors or {},
        fields=FIELDS,
        defaults={"quota_upload_gb": settings.get("uploads.quota_gb")},
        used=usage_line(user),
    )


@bp.get("/uploads/people/<int:user_id>/limits")
@admin_required
def upload_limits(user_id: int):
    user = db.get_or_404(User, user_id)
    own = user.quota_upload_gb
    return _page(user, {"quota_upload_gb": "" if own is None else f"{own:g}"})


@bp.post("/uploads/people/<int:user_id>/limits")
@admin_required
def upload_limits_save(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        value = parse(request.form.get("quota_upload_gb"), 1_000_000, False)
    except ValueError as exc:
        shown = {"quota_upload_gb": str(request.form.get("quota_upload_gb", ""))[:12]}
        return _page(user, shown, {"quota_upload_gb": str(exc)}, 400)
    if value == user.quota_upload_gb:
        flash("Nothing changed.", "info")
    else:
        audit.record(
            "user.quota_changed",
            actor=current_user,
            target=user.username,
            details={"quota_upload_gb": {"old": user.quota_upload_gb, "new": value}},
            commit=False,
        )
        user.quota_upload_gb = value
        db.session.commit()
        flash(f"Saved {user.username}'s upload space.", "success")
    return redirect(url_for("admin.upload_limits", user_id=user.id))
