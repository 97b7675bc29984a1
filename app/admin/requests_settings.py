"""Admin → Requests: Overseerr, TMDB, quota defaults, auto-approval, webhook, matching people."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin import requests_settings_services as services
from app.auth.decorators import admin_required
from app.htmx import render
from app.integrations.overseerr import NotConfigured, OverseerrError


def _page(values=None, errors=None, status_code=200, **extra):
    response = render(
        "admin/requests_settings.html",
        status_code=status_code,
        values=values or services.current(),
        errors=errors or {},
        webhook_url=url_for("overseerr_webhook.overseerr_webhook", _external=True),
        **extra,
    )
    if request.method == "POST":
        # A boosted form would leave its POST-only address in the bar, and a reload would fail.
        response.headers["HX-Push-Url"] = url_for("admin.requests_settings")
    return response


@bp.get("/requests/settings")
@admin_required
def requests_settings():
    return _page()


@bp.post("/requests/settings")
@admin_required
def requests_settings_save():
    result = services.save(request.form, actor=current_user)
    if result.errors:
        values = {**services.current(), **_typed(request.form)}
        return _page(values, result.errors, 400)
    flash(
        "Saved." if result.changed else "Nothing changed.", "success" if result.changed else "info"
    )
    return redirect(url_for("admin.requests_settings"))


def _typed(form) -> dict:
    """What the admin typed, to show again beside the errors (never the keys)."""
    values = {"url": form.get("url", "").strip()}
    for name, (key, _low, _high) in services.QUOTA_FIELDS.items():
        values[key] = form.get(name, "").strip()[:8]
    for role in ("admin", "user"):
        values[f"requests.auto_approve_{role}"] = form.get(f"auto_approve_{role}") == "1"
    return values


@bp.post("/requests/settings/test")
@admin_required
def requests_settings_test():
    return _page(check=services.test_connection(actor=current_user))


@bp.post("/requests/settings/webhook")
@admin_required
def requests_settings_webhook():
    services.new_webhook_auth(actor=current_user)
    flash(
        "A new Authorization value: paste it into Overseerr → Settings → Notifications → "
        "Webhook. The old one no longer works.",
        "success",
    )
    return redirect(url_for("admin.requests_settings") + "#webhook")


@bp.post("/requests/settings/matches")
@admin_required
def requests_settings_matches():
    try:
        report = services.import_matches(actor=current_user)
    except OverseerrError as exc:
        status = 400 if isinstance(exc, NotConfigured) else 502
        return _page(match_problem=str(exc), status_code=status)
    return _page(report=report)
