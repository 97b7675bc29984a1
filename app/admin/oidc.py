"""Single sign-on: the OpenID Connect provider people may sign in with."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp, oidc_services
from app.auth.decorators import admin_required
from app.htmx import render


def _page(values: dict, errors: dict | None = None, status_code: int = 200):
    return render(
        "admin/oidc.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        redirect_uri=url_for("auth.oidc_callback", _external=True),
        max_label=oidc_services.MAX_LABEL,
    )


@bp.get("/oidc")
@admin_required
def oidc():
    return _page(oidc_services.current())


@bp.post("/oidc")
@admin_required
def oidc_save():
    result = oidc_services.save(request.form, actor=current_user)
    if result.errors:
        return _page(oidc_services.form_values(request.form), result.errors, 400)
    if result.warning:
        flash(result.warning, "warning")
    elif result.changed:
        flash("Saved. The next sign-in uses these settings.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.oidc"))
