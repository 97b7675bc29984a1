"""Admin → Status settings: Uptime Kuma's status page, the check interval, visible monitors."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin import status_settings_services as services
from app.auth.decorators import admin_required
from app.htmx import render


def _page(values=None, errors=None, status_code=200, check=None):
    monitors = check.monitors if check and check.monitors else services.known_monitors()
    response = render(
        "admin/status_settings.html",
        status_code=status_code,
        values=values or services.current(),
        errors=errors or {},
        check=check,
        monitors=monitors,
    )
    if request.method == "POST":
        # A boosted form would leave its POST-only address in the bar, and a reload would fail.
        response.headers["HX-Push-Url"] = url_for("admin.status_settings")
    return response


def _typed(form) -> dict:
    """What the admin typed, to show again beside the errors (never the key)."""
    public = {v for v in form.getlist("public")[:1000] if v.isascii() and v.isdigit()}
    return {
        "url": form.get("url", "").strip()[:500],
        "slug": form.get("slug", "").strip()[:64],
        "interval": form.get("interval", "").strip()[:8],
        "public": {int(v) for v in public if len(v) < 20},
    }


@bp.get("/status")
@admin_required
def status_settings():
    return _page()


@bp.post("/status")
@admin_required
def status_settings_save():
    result = services.save(request.form, actor=current_user)
    if result.errors:
        return _page({**services.current(), **_typed(request.form)}, result.errors, 400)
    flash(
        "Saved." if result.changed else "Nothing changed.", "success" if result.changed else "info"
    )
    return redirect(url_for("admin.status_settings"))


@bp.post("/status/test")
@admin_required
def status_settings_test():
    check = services.test_connection(request.form)
    return _page({**services.current(), **_typed(request.form)}, check=check)
