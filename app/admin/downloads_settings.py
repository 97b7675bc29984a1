"""Admin → Downloads: folders, the Plex library, allowed sites and hosts, limits, cookies."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin import downloads_settings_cookies as cookies
from app.admin import downloads_settings_services as services
from app.auth.decorators import admin_required
from app.downloads.views import size_words
from app.forms import accepts_files
from app.htmx import render


def _page(values=None, errors=None, status_code=200, **extra):
    response = render(
        "admin/downloads_settings.html",
        status_code=status_code,
        values=values or services.current(),
        errors=errors or {},
        sections=services.sections(),
        facts=services.facts(),
        size_words=size_words,
        **extra,
    )
    if request.method == "POST":
        # A boosted form would leave its POST-only address in the bar, and a reload would fail.
        response.headers["HX-Push-Url"] = url_for("admin.downloads_settings")
    return response


@bp.get("/downloads")
@admin_required
def downloads_settings():
    return _page()


@bp.post("/downloads")
@admin_required
def downloads_settings_save():
    result = services.save(request.form, actor=current_user)
    if result.errors:
        typed = {name: str(request.form.get(name, ""))[:2000] for name in services.current()}
        return _page(typed, result.errors, 400)
    flash(
        "Saved." if result.changed else "Nothing changed.", "success" if result.changed else "info"
    )
    return redirect(url_for("admin.downloads_settings"))


@bp.post("/downloads/cookies")
@admin_required
@accepts_files
def downloads_cookies():
    problem = cookies.store(request.files.get("cookies"), actor=current_user)
    if problem:
        return _page(cookies_error=problem, status_code=400)
    flash("Cookies stored: downloads sign in with them from now on.", "success")
    return redirect(url_for("admin.downloads_settings") + "#cookies")


@bp.post("/downloads/cookies/remove")
@admin_required
def downloads_cookies_remove():
    if cookies.remove(actor=current_user):
        flash("Cookies removed: downloads no longer sign in.", "success")
    else:
        flash("No cookies were stored.", "info")
    return redirect(url_for("admin.downloads_settings") + "#cookies")
