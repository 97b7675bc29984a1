"""The person's own notification settings: Profile → Notifications."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.htmx import render, wants_fragment
from app.notify import bp
from app.notify import profile_choices as choices
from app.notify import profile_email as email
from app.notify import profile_targets as targets
from app.notify.prefs import profile

PAGE = "notify/account.html"


def _context(**extra) -> dict:
    mine = profile(current_user.id)
    owned = targets.targets_of(current_user.id)
    confirmed = email.confirmed_address(current_user)
    return {
        "profile": mine,
        "confirmed": confirmed,
        "targets": owned,
        "max_targets": targets.MAX_TARGETS,
        "rows": choices.rows_for(current_user),
        "field_name": choices.field_name,
        "timezones": choices.timezones(),
        "newsletter_options": choices.NEWSLETTER,
        "schedule": extra.pop("schedule", None) or choices.schedule_values(mine),
        "typed": {},
        "errors": {},
        "notice": None,
        **extra,
    }


def _page(status_code: int = 200, **extra):
    """The whole settings page, or only its body for htmx (each form swaps the body)."""
    response = render(PAGE, block="settings", status_code=status_code, **_context(**extra))
    if request.method == "POST" and not wants_fragment():
        response.headers["HX-Push-Url"] = url_for("notify.account")
    return response


def _answer(section: str, result, status_code: int = 400, field: str | None = None, **extra):
    """Success: the page again with the message (a redirect without htmx); else a 400 form."""
    if result.ok and not wants_fragment():
        flash(result.message, "success")
        return redirect(url_for("notify.account"))
    level = "success" if result.ok else "error"
    notice = {"section": section, "text": result.message, "level": level, "field": field}
    return _page(200 if result.ok else status_code, notice=notice, **extra)


@bp.get("/account/notifications")
@login_required
def account():
    return _page()


@bp.post("/account/notifications/email")
@login_required
def account_email():
    result = email.ask_for(current_user, request.form.get("address"))
    typed = {"address": email.clean_address(request.form.get("address"))[:300]}
    if result.ok:
        return _answer("email", result)
    return _answer("email", result, field="address", typed=typed)


@bp.post("/account/notifications/email/resend")
@login_required
def account_email_resend():
    return _answer("email", email.resend(current_user))


@bp.post("/account/notifications/email/remove")
@login_required
def account_email_remove():
    return _answer("email", email.remove(current_user))


@bp.get("/account/notifications/verify/<token>")
@login_required
def account_verify(token: str):
    status, message = email.verify(current_user, token)
    return render("notify/verify.html", status_code=status, ok=status == 200, message=message)


@bp.post("/account/notifications/targets")
@login_required
def account_target_add():
    name, url = request.form.get("name"), request.form.get("url")
    result, errors = targets.add(current_user, name, url)
    # The address is never shown back: it may hold a token.
    typed = {"name": name.strip()[:200] if isinstance(name, str) else ""}
    return _answer("targets", result, errors=errors, typed=typed if not result.ok else {})


@bp.post("/account/notifications/targets/<int:target_id>/delete")
@login_required
def account_target_delete(target_id: int):
    result = targets.delete(current_user, target_id)
    if result is None:
        abort(404)
    return _answer("targets", result)


@bp.post("/account/notifications/choices")
@login_required
def account_choices():
    result = choices.save_ways(
        current_user,
        request.form,
        has_email=email.confirmed_address(current_user) is not None,
        has_targets=targets.count_of(current_user.id) > 0,
    )
    return _answer("choices", result)


@bp.post("/account/notifications/schedule")
@login_required
def account_schedule():
    values, errors = choices.read_schedule(request.form)
    if errors:
        result = email.Result(False, "Check the fields marked below.")
        return _answer("schedule", result, errors=errors, schedule=values)
    return _answer("schedule", choices.save_schedule(current_user, values))
