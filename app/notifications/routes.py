"""The notifications page and its read actions."""

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from app.htmx import render, wants_fragment
from app.notifications import bp, services
from app.paging import page_number


@bp.get("/")
@login_required
def index():
    page = services.page_for(current_user.id, page_number(request.args.get("page")))
    return render("notifications/index.html", block="list", page=page)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    row = services.mark_read(current_user.id, notification_id)
    if row is None:
        abort(404)
    if wants_fragment():
        return render("notifications/_item.html", item=row)
    return redirect(url_for("notifications.index", page=page_number(request.args.get("page"))))


@bp.post("/read-all")
@login_required
def read_all():
    services.mark_all_read(current_user.id)
    page = services.page_for(current_user.id, page_number(request.args.get("page")))
    if wants_fragment():
        return render("notifications/index.html", block="list", page=page)
    return redirect(url_for("notifications.index"))
