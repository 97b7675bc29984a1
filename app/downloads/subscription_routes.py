"""Subscription pages: the list with the subscribe form, one subscription's page, and actions."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.downloads import bp, services, subscription_form, subscriptions
from app.downloads.urls import UrlRefused
from app.extensions import db
from app.htmx import render
from app.integrations import ytdlp
from app.models import Subscription

FIELDS = ("url", "quality", "interval", "start_with", "keep_newest", "keep_days")


def _sub_or_404(sub_id: int) -> Subscription:
    """The subscription, if the signed-in person may act on it; others learn nothing of it."""
    sub = db.session.get(Subscription, sub_id)
    if sub is None or not subscriptions.may_act(current_user, sub):
        abort(404)
    return sub


def _shown(form) -> dict[str, str]:
    """What the person typed, cut short, to show in the form again."""
    return {key: str(form.get(key, ""))[: 2000 if key == "url" else 20] for key in FIELDS}


def _list_page(values: dict | None = None, errors: dict | None = None, existing=None, code=200):
    subs = subscriptions.visible(current_user)
    latest = subscriptions.latest_downloads([s.id for s in subs])
    defaults = {
        "quality": "best",
        "interval": subscription_form.format_interval(subscription_form.DEFAULT_INTERVAL),
        "start_with": str(subscription_form.DEFAULT_START),
    }
    return render(
        "downloads/subscriptions.html",
        status_code=code,
        subs=subs,
        latest=latest,
        values=values or defaults,
        errors=errors or {},
        existing=existing,
        qualities=ytdlp.QUALITIES,
        words=subscription_form,
        everyone=current_user.is_admin,
    )


def _edit_page(sub: Subscription, values: dict | None = None, errors=None, code=200):
    values = values or {
        "quality": sub.quality,
        "interval": subscription_form.format_interval(sub.interval_minutes),
        "keep_newest": "" if sub.keep_newest is None else str(sub.keep_newest),
        "keep_days": "" if sub.keep_days is None else str(sub.keep_days),
    }
    return render(
        "downloads/subscriptions_edit.html",
        status_code=code,
        sub=sub,
        values=values,
        errors=errors or {},
        downloads=subscriptions.recent_downloads(sub),
        qualities=ytdlp.QUALITIES,
        words=subscription_form,
    )


@bp.get("/subscriptions")
@login_required
def subscriptions_list():
    return _list_page()


@bp.post("/subscriptions")
@login_required
def subscribe():
    choices, errors = subscription_form.read_choices(request.form, new=True)
    url = str(request.form.get("url") or "").strip()
    if not url:
        errors["url"] = "Paste the address of a channel or a playlist."
    if errors:
        return _list_page(_shown(request.form), errors, code=400)
    try:
        sub = subscriptions.subscribe(current_user, url, choices)
    except subscriptions.AlreadySubscribed as exc:
        return _list_page(_shown(request.form), existing=exc.subscription, code=409)
    except (subscriptions.Refused, services.Refused, UrlRefused) as exc:
        return _list_page(_shown(request.form), {"url": str(exc)}, code=400)
    except ytdlp.FetchError as exc:
        return _list_page(_shown(request.form), {"url": exc.message}, code=400)
    flash(f"You subscribe to {sub.title}. The first check runs now.", "success")
    return redirect(url_for("downloads.subscriptions_list"))


@bp.get("/subscriptions/<int:sub_id>")
@login_required
def subscription(sub_id: int):
    return _edit_page(_sub_or_404(sub_id))


@bp.post("/subscriptions/<int:sub_id>")
@login_required
def subscription_save(sub_id: int):
    sub = _sub_or_404(sub_id)
    choices, errors = subscription_form.read_choices(request.form, new=False)
    if errors:
        return _edit_page(sub, _shown(request.form), errors, code=400)
    if subscriptions.change(sub, choices):
        flash(f"Saved {sub.title}.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("downloads.subscription", sub_id=sub.id))


@bp.post("/subscriptions/<int:sub_id>/check")
@login_required
def subscription_check(sub_id: int):
    sub = _sub_or_404(sub_id)
    if not sub.enabled:
        flash(f"{sub.title} is paused: resume it to check it.", "error")
    else:
        subscriptions.check_now(sub)
        flash(f"Checking {sub.title} now.", "success")
    return redirect(_back())


@bp.post("/subscriptions/<int:sub_id>/pause")
@login_required
def subscription_pause(sub_id: int):
    sub = _sub_or_404(sub_id)
    subscriptions.set_enabled(sub, False)
    flash(f"Paused {sub.title}: it is not checked until you resume it.", "info")
    return redirect(_back())


@bp.post("/subscriptions/<int:sub_id>/resume")
@login_required
def subscription_resume(sub_id: int):
    sub = _sub_or_404(sub_id)
    subscriptions.set_enabled(sub, True)
    flash(f"Resumed {sub.title}.", "success")
    return redirect(_back())


@bp.post("/subscriptions/<int:sub_id>/delete")
@login_required
def subscription_delete(sub_id: int):
    sub = _sub_or_404(sub_id)
    title = sub.title
    subscriptions.unsubscribe(sub)
    flash(f"Unsubscribed from {title}. Videos already downloaded stay where they are.", "info")
    return redirect(url_for("downloads.subscriptions_list"))


def _back() -> str:
    """Back to the page the button was on: the list, or the subscription's own page."""
    listed = url_for("downloads.subscriptions_list")
    return listed if request.form.get("from") == "list" else request.path.rsplit("/", 1)[0]
