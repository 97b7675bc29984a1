"""Admin → Uploads: the Home Videos folder and library, sizes and space, storage per person."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin import uploads_settings_services as services
from app.auth.decorators import admin_required
from app.htmx import render


def _page(values=None, errors=None, status_code=200):
    response = render(
        "admin/uploads_settings.html",
        status_code=status_code,
        values=values or services.current(),
        errors=errors or {},
        sections=services.sections(),
        people=services.storage_by_person(),
    )
    if request.method == "POST":
        response.headers["HX-Push-Url"] = url_for("admin.uploads_settings")
    return response


@bp.get("/uploads")
@admin_required
def uploads_settings():
    return _page()


@bp.post("/uploads")
@admin_required
def uploads_settings_save():
    result = services.save(request.form, actor=current_user)
    if result.errors:
        typed = {name: str(request.form.get(name, ""))[:2000] for name in services.current()}
        typed["convert"] = request.form.get("convert") == "on"
        return _page(typed, result.errors, 400)
    flash(
        "Saved." if result.changed else "Nothing changed.", "success" if result.changed else "info"
    )
    return redirect(url_for("admin.uploads_settings"))
