"""One person's own request limits, set by an admin; empty fields follow the defaults."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import settings
from app.auth.decorators import admin_required
from app.extensions import db
from app.htmx import render
from app.models import RequestQuota, User
from app.requests import bp, quotas

FIELDS = {
    "movie_limit": ("Movies", quotas.MAX_LIMIT),
    "movie_days": ("per days", quotas.MAX_DAYS),
    "season_limit": ("Seasons", quotas.MAX_LIMIT),
    "season_days": ("per days", quotas.MAX_DAYS),
}


def _page(user: User, values: dict, errors: dict | None = None, status_code: int = 200):
    defaults = {key: settings.get(f"requests.{key}") for key in FIELDS}
    return render(
        "requests/limits.html",
        status_code=status_code,
        user=user,
        values=values,
        errors=errors or {},
        defaults=defaults,
        used=quotas.usages(user),
    )


@bp.get("/admin/requests/people/<int:user_id>/limits")
@admin_required
def limits(user_id: int):
    user = db.get_or_404(User, user_id)
    own = db.session.get(RequestQuota, user.id)
    values = {key: getattr(own, key, None) for key in FIELDS}
    return _page(user, {k: "" if v is None else str(v) for k, v in values.items()})


@bp.post("/admin/requests/people/<int:user_id>/limits")
@admin_required
def limits_save(user_id: int):
    user = db.get_or_404(User, user_id)
    values, errors = {}, {}
    for key, (_, most) in FIELDS.items():
        try:
            values[key] = quotas.parse_limit(request.form.get(key), most=most)
        except ValueError as exc:
            errors[key] = str(exc)
    if not errors and (values["movie_days"] == 0 or values["season_days"] == 0):
        errors["movie_days" if values["movie_days"] == 0 else "season_days"] = (
            "A window is at least 1 day."
        )
    if errors:
        shown = {key: str(request.form.get(key, ""))[:10] for key in FIELDS}
        return _page(user, shown, errors, 400)
    if quotas.set_override(user, values, actor=current_user):
        flash(f"Saved {user.username}'s request limits.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("requests.limits", user_id=user.id))
