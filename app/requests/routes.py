"""A person's requests: asking, following, My requests and one request's page."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.bounded import parse_id
from app.extensions import db
from app.htmx import fragment_of, render, wants_fragment
from app.models import MediaRequest
from app.requests import bp, listing, quotas, services, states, titles
from app.requests.box import box_for
from app.security import is_safe_next


def request_or_404(request_id: int) -> MediaRequest:
    """The request, if the signed-in person may see it; others learn nothing of it."""
    req = db.session.get(MediaRequest, request_id)
    if req is None or not services.may_see(req, current_user):
        abort(404)
    return req


def _back(default: str) -> str:
    target = request.form.get("next")
    return target if is_safe_next(target) else default


@bp.get("/requests")
@login_required
def mine():
    query = listing.RequestQuery.from_args(request.args)
    page = listing.mine(current_user, query)
    return render(
        "requests/mine.html",
        block="list",
        query=query,
        page=page,
        followed=listing.followed_ids(current_user, page.items),
        quota=quotas.usages(current_user),
        statuses=listing.STATUSES,
        types=listing.TYPES,
        sorts=listing.SORTS,
    )


@bp.get("/requests/<int:request_id>")
@login_required
def detail(request_id: int):
    req = request_or_404(request_id)
    return render(
        "requests/detail.html",
        req=req,
        following=req.id in listing.followed_ids(current_user, [req]),
        item_key=_item_key(req),
        states=states,
    )


def _item_key(req: MediaRequest) -> int | None:
    from app.models import MediaItem

    if req.available_item_id is None:
        return None
    item = db.session.get(MediaItem, req.available_item_id)
    return item.rating_key if item is not None and item.removed_at is None else None


@bp.get("/requests/box/<any(movie, tv):media_type>/<int:tmdb_id>")
@login_required
@fragment_of("requests.mine")
def box(media_type: str, tmdb_id: int):
    """The request controls of a title, for a page that loads or refreshes them with htmx."""
    title = titles.title_for(media_type, tmdb_id)
    if title is None:
        return render("requests/_box_error.html", message="We could not find that title.")
    return render("requests/_request_box.html", box=box_for(current_user, title))


@bp.post("/requests")
@login_required
def create():
    media_type = request.form.get("media_type", "")
    tmdb_id = parse_id(request.form.get("tmdb_id"))
    title = titles.title_for(media_type, tmdb_id) if tmdb_id else None
    if title is None:
        return _refused("We could not find that title. It may have been removed from TMDB.")
    seasons = "all" if request.form.get("all_seasons") else request.form.getlist("seasons")
    try:
        outcome = services.create(
            current_user, title, seasons, client_token=request.form.get("client_token")
        )
    except (services.RequestError, services.QuotaExceeded) as exc:
        if wants_fragment():
            return render(
                "requests/_request_box.html", box=box_for(current_user, title, error=str(exc))
            )
        flash(str(exc), "error")
        return redirect(_back(url_for("requests.mine")))
    if wants_fragment():
        return render(
            "requests/_request_box.html", box=box_for(current_user, title, message=outcome.message)
        )
    flash(outcome.message, "success" if outcome.created or outcome.followed else "info")
    target = outcome.created or (outcome.followed[0] if outcome.followed else None)
    default = (
        url_for("requests.detail", request_id=target.id) if target else url_for("requests.mine")
    )
    return redirect(_back(default))


def _refused(message: str):
    if wants_fragment():  # htmx reports a 4xx answer as an error: the box says it instead
        return render("requests/_box_error.html", message=message)
    flash(message, "error")
    return redirect(_back(url_for("requests.mine")))


@bp.post("/requests/<int:request_id>/follow")
@login_required
def follow(request_id: int):
    req = db.session.get(MediaRequest, request_id)
    if req is None or req.status not in states.ACTIVE | {states.AVAILABLE}:
        abort(404)
    services.follow(req, current_user)
    db.session.commit()
    flash("You follow this request: you will be told when it changes.", "success")
    return redirect(_back(url_for("requests.detail", request_id=req.id)))


@bp.post("/requests/<int:request_id>/unfollow")
@login_required
def unfollow(request_id: int):
    req = request_or_404(request_id)
    if services.unfollow(req, current_user):
        flash(f"You no longer follow the request for {req.title}.", "info")
    return redirect(url_for("requests.mine"))
