"""All requests, for admins: the approval queue and what can be done to a request."""

import re

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import admin_required
from app.bounded import parse_id
from app.extensions import db
from app.htmx import render
from app.models import MediaRequest
from app.requests import bp, decisions, listing, titles
from app.requests.services import RequestError, describe
from app.security import is_safe_next


def _request(request_id: int) -> MediaRequest:
    req = db.session.get(MediaRequest, request_id)
    if req is None:
        abort(404)
    return req


def _back(req: MediaRequest | None = None) -> str:
    target = request.form.get("next")
    if is_safe_next(target):
        return target
    if req is not None:
        return url_for("requests.detail", request_id=req.id)
    return url_for("requests.queue")


@bp.get("/admin/requests")
@admin_required
def queue():
    waiting = listing.waiting_count()
    # With requests waiting, the queue opens on them, the longest waiting first.
    if waiting:
        query = listing.RequestQuery.from_args(request.args, "pending", "oldest")
    else:
        query = listing.RequestQuery.from_args(request.args)
    return render(
        "requests/queue.html",
        block="table",
        query=query,
        page=listing.everyone(query),
        waiting=waiting,
        statuses=listing.STATUSES,
        types=listing.TYPES,
        sorts=listing.SORTS,
        describe=describe,
    )


def _act(request_id: int, action, success: str):
    req = _request(request_id)
    try:
        action(req)
    except RequestError as exc:
        flash(str(exc), "error")
    else:
        flash(success.format(title=describe(req)), "success")
    return redirect(_back(req))


@bp.post("/admin/requests/<int:request_id>/approve")
@admin_required
def approve(request_id: int):
    return _act(request_id, lambda r: decisions.approve(r, actor=current_user), "Approved {title}.")


@bp.post("/admin/requests/<int:request_id>/decline")
@admin_required
def decline(request_id: int):
    reason = request.form.get("reason", "")
    return _act(
        request_id,
        lambda r: decisions.decline(r, reason, actor=current_user),
        "Declined {title}. The person who asked was told why.",
    )


@bp.post("/admin/requests/<int:request_id>/seasons")
@admin_required
def seasons(request_id: int):
    listed = request.form.get("season_list")
    chosen = (
        re.split(r"[\s,]+", listed.strip())[:200] if listed else request.form.getlist("seasons")
    )

    def edit(req):
        title = titles.title_for(req.media_type, req.tmdb_id)
        if not decisions.edit_seasons(req, [s for s in chosen if s], title, actor=current_user):
            raise RequestError("The seasons are as they were.")

    return _act(request_id, edit, "Seasons changed: {title}.")


@bp.post("/admin/requests/<int:request_id>/available")
@admin_required
def available(request_id: int):
    return _act(
        request_id,
        lambda r: decisions.mark_available(r, actor=current_user),
        "Marked available: {title}. The person who asked was told.",
    )


@bp.post("/admin/requests/<int:request_id>/retry")
@admin_required
def retry(request_id: int):
    return _act(
        request_id, lambda r: decisions.retry(r, actor=current_user), "Trying again: {title}."
    )


@bp.post("/admin/requests/bulk")
@admin_required
def bulk():
    ids = {parse_id(raw) for raw in request.form.getlist("ids")[: decisions.MAX_BULK + 1]}
    ids.discard(None)
    reqs = list(db.session.scalars(select(MediaRequest).where(MediaRequest.id.in_(ids))))
    action = request.form.get("action", "")
    try:
        result = decisions.bulk(reqs, action, actor=current_user, reason=request.form.get("reason"))
    except RequestError as exc:
        flash(str(exc), "error")
        return redirect(_back())
    verb = "Approved" if action == "approve" else "Declined"
    count = len(result.done)
    text = f"{verb} {count} request{'s' if count != 1 else ''}."
    if result.skipped:
        text += f" Left {len(result.skipped)} as they were: " + "; ".join(
            f"{req.title}: {why}" for req, why in result.skipped[:5]
        )
    flash(text, "success" if count else "info")
    return redirect(_back())
