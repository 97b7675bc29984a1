"""Admin → Notifications: channels (add, edit, delete, enable, send a test) and email to people."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin import notify_channels_services as services
from app.admin import notify_email_services as email
from app.auth.decorators import admin_required
from app.htmx import render, wants_fragment

ENVIRONMENT_NOTE = (
    "That channel comes from MEDIANEST_NOTIFY_URLS: change the variable and restart MediaNest "
    "to change or remove it."
)


def _page(values=None, errors=None, status_code=200, email_values=None, email_errors=None):
    response = render(
        "admin/notifications.html",
        status_code=status_code,
        channels=services.listed(),
        values=values or services.blank(),
        errors=errors or {},
        examples=services.EXAMPLES,
        security=services.channels.SECURITY,
        blank=services.blank(),
        email=email.current() | (email_values or {}),
        email_errors=email_errors or {},
    )
    if request.method == "POST":
        # A boosted form would leave its POST-only address in the bar, and a reload would fail.
        response.headers["HX-Push-Url"] = url_for("admin.notifications")
    return response


def _channel(channel_id: int, *, editable: bool = False):
    channel = services.get(channel_id)
    if channel is None:
        abort(404)
    if editable and channel.from_environment:
        flash(ENVIRONMENT_NOTE, "info")
        return None
    return channel


def _back():
    return redirect(url_for("admin.notifications"))


@bp.get("/notifications")
@admin_required
def notifications():
    return _page()


@bp.post("/notifications")
@admin_required
def notifications_add():
    submitted = services.read_form(request.form)
    if submitted.errors:
        return _page(submitted.values, submitted.errors, 400)
    channel = services.create(submitted, actor=current_user)
    flash(f"Channel “{channel.name}” added. Send a test to check it.", "success")
    return _back()


def _edit_page(channel, values=None, errors=None, status_code=200):
    response = render(
        "admin/notify_channel_edit.html",
        status_code=status_code,
        channel=channel,
        values=values or services.values_of(channel),
        errors=errors or {},
        examples=services.EXAMPLES,
        security=services.channels.SECURITY,
    )
    if request.method == "POST":
        response.headers["HX-Push-Url"] = url_for("admin.notifications_edit", channel_id=channel.id)
    return response


@bp.get("/notifications/<int:channel_id>/edit")
@admin_required
def notifications_edit(channel_id: int):
    channel = _channel(channel_id, editable=True)
    return _edit_page(channel) if channel else _back()


@bp.post("/notifications/<int:channel_id>")
@admin_required
def notifications_save(channel_id: int):
    channel = _channel(channel_id, editable=True)
    if channel is None:
        return _back()
    submitted = services.read_form(request.form, channel)
    if submitted.errors:
        return _edit_page(channel, submitted.values, submitted.errors, 400)
    services.update(channel, submitted, actor=current_user)
    flash(f"Channel “{channel.name}” saved.", "success")
    return _back()


@bp.post("/notifications/<int:channel_id>/delete")
@admin_required
def notifications_delete(channel_id: int):
    channel = _channel(channel_id, editable=True)
    if channel is not None:
        services.delete(channel, actor=current_user)
        flash(f"Channel “{channel.name}” deleted.", "success")
    return _back()


@bp.post("/notifications/<int:channel_id>/enabled")
@admin_required
def notifications_enable(channel_id: int):
    channel = _channel(channel_id, editable=True)
    if channel is not None:
        on = request.form.get("enabled") == "1"
        services.set_enabled(channel, on, actor=current_user)
        flash(f"Channel “{channel.name}” {'enabled' if on else 'disabled'}.", "success")
    return _back()


@bp.post("/notifications/<int:channel_id>/test")
@admin_required
def notifications_test(channel_id: int):
    channel = _channel(channel_id)
    words = services.send_test(channel)
    if wants_fragment():
        return render("admin/_notify_test.html", channel=channel, words=words)
    flash(f"Test of “{channel.name}”: {words}", "success" if words == "Sent." else "error")
    return _back()


@bp.post("/notifications/email")
@admin_required
def notifications_email():
    result = email.save(request.form, actor=current_user)
    if result.errors:
        typed = {
            "smtp_from": (request.form.get("smtp_from") or "")[:200],
            "public_url": (request.form.get("public_url") or "")[:500],
        }
        return _page(status_code=400, email_values=typed, email_errors=result.errors)
    flash("Email settings saved." if result.changed else "Nothing changed.", "success")
    return _back()


@bp.post("/notifications/email/test")
@admin_required
def notifications_email_test():
    ok, words = email.send_test_to(current_user)
    if wants_fragment():
        return render("admin/_notify_email_test.html", ok=ok, words=words)
    flash(words, "success" if ok else "error")
    return _back()
