"""Sign-ups: who may join, and as what."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp, signup_services
from app.admin.people_services import ROLES
from app.auth.decorators import admin_required
from app.htmx import render


def _page(values: dict, errors: dict | None = None, status_code: int = 200):
    return render(
        "admin/signup.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        roles=ROLES,
    )


@bp.get("/signup")
@admin_required
def signup():
    return _page(signup_services.current())


@bp.post("/signup")
@admin_required
def signup_save():
    result = signup_services.save(request.form, actor=current_user)
    if result.errors:
        values = {
            "signup.approval_required": bool(request.form.get("approval_required")),
            "signup.default_role": request.form.get("default_role", ""),
        }
        return _page(values, result.errors, 400)
    if result.changed:
        flash("Saved. New sign-ups follow these rules now.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.signup"))
