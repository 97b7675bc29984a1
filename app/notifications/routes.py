"""The notifications page and its read actions."""

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from app.htmx import render, wants_fragment
from app.notifications import bp, services
from app.notifications.kinds import KINDS, Filters


def _list(filters: Filters):
    page = services.page_for(current_user.id, filters.page, filters)
    unread = services.unread_count(current_user.id)
    return render(
        "notifications/index.html",
        block="list",
        page=page,
        filters=filters,
        kinds=KINDS,
        unread=unread,
    )


@bp.get("/")
@login_required
def index():
    return _list(Filters.from_args(request.args))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    row = services.mark_read(current_user.id, notification_id)
    if row is None:
        abort(404)
    if wants_fragment():
        return render("notifications/_item.html", item=row)
    filters = Filters.from_args(request.args)
    return redirect(url_for("notifications.index", **filters.args()))


@bp.post("/read-all")
@login_required
def read_all():
    services.mark_all_read(current_user.id)
    filters = Filters.from_args(request.args)
    if wants_fragment():
        return _list(filters)
    return redirect(url_for("notifications.index", **filters.args()))
