"""One person's own download limits, set by an admin; empty fields follow the defaults."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import audit, settings
from app.admin import bp
from app.auth.decorators import admin_required
from app.downloads.views import person_quota_line
from app.extensions import db
from app.htmx import render
from app.models import User

# field: (User column, label, the most it may be, whole numbers only)
FIELDS = {
    "quota_downloads": ("quota_downloads", "Videos a day", 100_000, True),
    "quota_storage_gb": ("quota_storage_gb", "Storage in GB", 1_000_000, False),
}
DEFAULTS = {"quota_downloads": "quota.downloads", "quota_storage_gb": "downloads.storage_gb"}


def parse(raw, most: int, whole: bool) -> int | float | None:
    """None for an empty field (follow the default), else the number; ValueError in words."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    message = f"Enter a {'whole ' if whole else ''}number from 0 to {most:,}, or leave it empty."
    if len(text) > 12 or not text.isascii():
        raise ValueError(message)
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise ValueError(message) from None
    if not 0 <= value <= most or value != value:
        raise ValueError(message)
    return value if whole else round(value, 2)


def usage_line(user: User) -> str:
    return person_quota_line(user)


def _page(user: User, values: dict, errors: dict | None = None, status_code: int = 200):
    return render(
        "admin/limits.html",
        status_code=status_code,
        user=user,
        heading="Download limits",
        intro=f"How much {user.username} may download.",
        save_url=url_for("admin.download_limits_save", user_id=user.id),
        values=values,
        errors=errors or {},
        fields=FIELDS,
        defaults={name: settings.get(key) for name, key in DEFAULTS.items()},
        used=usage_line(user),
    )


def _shown(value) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


@bp.get("/downloads/people/<int:user_id>/limits")
@admin_required
def download_limits(user_id: int):
    user = db.get_or_404(User, user_id)
    return _page(
        user, {name: _shown(getattr(user, column)) for name, (column, *_) in FIELDS.items()}
    )


@bp.post("/downloads/people/<int:user_id>/limits")
@admin_required
def download_limits_save(user_id: int):
    user = db.get_or_404(User, user_id)
    values, errors = {}, {}
    for name, (_column, _label, most, whole) in FIELDS.items():
        try:
            values[name] = parse(request.form.get(name), most, whole)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        shown = {name: str(request.form.get(name, ""))[:12] for name in FIELDS}
        return _page(user, shown, errors, 400)
    old = {name: getattr(user, column) for name, (column, *_) in FIELDS.items()}
    if old == values:
        flash("Nothing changed.", "info")
    else:
        for name, (column, *_) in FIELDS.items():
            setattr(user, column, values[name])
        details = {n: {"old": old[n], "new": values[n]} for n in FIELDS if old[n] != values[n]}
        audit.record(
            "user.quota_changed",
            actor=current_user,
            target=user.username,
            details=details,
            commit=False,
        )
        db.session.commit()
        flash(f"Saved {user.username}'s download limits.", "success")
    return redirect(url_for("admin.download_limits", user_id=user.id))
