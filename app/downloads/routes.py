"""Pages of Downloads: adding with a preview, following each download, cancelling, retrying."""

import secrets

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.downloads import bp, forms, quotas, services, thumbs, views
from app.downloads.demo import demo_links
from app.downloads.urls import MAX_URL_LENGTH, UrlRefused
from app.extensions import db
from app.htmx import render, wants_fragment
from app.integrations.ytdlp import NETWORK, QUALITIES, FetchError
from app.library.browse import image_response, placeholder
from app.library.images import Missing, Unavailable
from app.models import Download, DownloadItem, DownloadWatcher, User
from app.models.downloads import RUNNING
from app.paging import page_number, paginate
from app.security import is_safe_next

ITEMS_PER_PAGE = 50
TOKEN_LENGTH = 64


def _download_or_404(download_id: int) -> Download:
    """The download, if the signed-in person may see it; others learn nothing of it."""
    download = db.session.get(Download, download_id)
    if download is None or not services.can_see(current_user, download):
        abort(404)
    return download


def _item_or_404(item_id: int) -> DownloadItem:
    item = db.session.get(DownloadItem, item_id)
    if item is None:
        abort(404)
    _download_or_404(item.download_id)
    return item


def _back(default: str) -> str:
    target = request.form.get("next")
    return target if is_safe_next(target) else default


def _words(exc: Exception) -> str:
    if isinstance(exc, FetchError) and exc.code == NETWORK and current_app.config["DEMO"]:
        # The demo is often tried with a real link first; say why it cannot be reached.
        return f"{exc.message} This demo may not reach the internet: try one of the demo videos."
    return exc.message if isinstance(exc, FetchError) else str(exc)


def _index(status_code: int = 200, **extra):
    """The Downloads page: the add form (with what it previewed) and the person's downloads."""
    everyone = current_user.is_admin and request.args.get("everyone") == "1"
    page = services.visible(
        current_user, everyone=everyone, page=page_number(request.args.get("page"))
    )
    extra.setdefault("pasted", request.args.get("url", "")[: forms.MAX_PASTE])
    extra.setdefault("quality", "best")
    return render(
        "downloads/index.html",
        block="list",
        status_code=status_code,
        page=page,
        cards=views.cards(page.items),
        everyone=everyone,
        quota_line=views.person_quota_line(current_user),
        qualities=[(q, forms.QUALITY_WORDS[q]) for q in QUALITIES],
        demo=demo_links(current_app.config["DEMO_VIDEO_URL"]),
        **extra,
    )


@bp.get("")
@login_required
def index():
    return _index()


def _preview_one(url: str, page: int) -> dict:
    try:
        found = services.preview(current_user, url, page)
    except (UrlRefused, FetchError, services.Refused) as exc:
        return {"url": url, "error": _words(exc)}
    return {"url": url, "preview": found, "token": secrets.token_urlsafe(24)}


@bp.post("/preview")
@login_required
def preview():
    raw = request.form.get("urls", "")
    paste = forms.read_paste(raw)
    quality = request.form.get("quality", "best")
    problem = paste.error or forms.quality_problem(quality)
    page = forms.page_of(request.form.get("page"))
    results = [] if problem else [_preview_one(url, page) for url in paste.urls]
    # Admins have no limits; everyone else sees theirs before confirming, not after.
    left = quotas.videos_left(current_user)
    context = {"results": results, "problem": problem, "quality": quality, "left": left}
    if wants_fragment():
        if request.form.get("more") == "1" and results:
            return render("downloads/_preview_entries.html", result=results[0], quality=quality)
        return render("downloads/_preview.html", **context)
    response = _index(400 if problem else 200, pasted=raw[: forms.MAX_PASTE], **context)
    # The page of a plain POST is the Downloads page; a reload should open it, not post again.
    response.headers["HX-Push-Url"] = url_for("downloads.index")
    return response


def _client_token() -> str | None:
    token = request.form.get("client_token", "")
    return token if 0 < len(token) <= TOKEN_LENGTH and token.isprintable() else None


@bp.post("")
@login_required
def create():
    url = request.form.get("url", "")
    quality = request.form.get("quality", "best")
    items = request.form.get("items", "").strip() or "all"
    problem = forms.quality_problem(quality) or forms.items_problem(items)
    if not url.strip() or len(url) > MAX_URL_LENGTH:
        problem = "Paste the address of a video, a playlist or a channel."
    if problem is None:
        try:
            added = services.add(
                current_user, url, quality=quality, items=items, client_token=_client_token()
            )
        except (services.Refused, UrlRefused, FetchError) as exc:
            problem = _words(exc)
    if problem:
        flash(problem, "error")
        return redirect(url_for("downloads.index"))
    if added.shared:
        flash("Someone is downloading this already: you will see it here and be told too.", "info")
    else:
        flash("Added: it starts as soon as a worker is free.", "success")
    return redirect(url_for("downloads.detail", download_id=added.download.id))


@bp.get("/<int:download_id>")
@login_required
def detail(download_id: int):
    download = _download_or_404(download_id)
    items = paginate(
        select(DownloadItem)
        .where(DownloadItem.download_id == download.id)
        .order_by(DownloadItem.position),
        page_number(request.args.get("page")),
        ITEMS_PER_PAGE,
    )
    running = [i.id for i in items.items if i.status == RUNNING]
    return render(
        "downloads/detail.html",
        card=views.card(download),
        page=items,
        live=services.live_progress(running) if running else {},
        watchers=_watchers(download) if current_user.is_admin else [],
    )


def _watchers(download: Download) -> list[str]:
    return list(
        db.session.scalars(
            select(User.username)
            .join(DownloadWatcher, DownloadWatcher.user_id == User.id)
            .where(DownloadWatcher.download_id == download.id)
            .order_by(User.username)
        )
    )


def _act(action, target, download: Download, done: str):
    """Run a cancel or retry for the person; its refusal is said, not raised."""
    try:
        action(current_user, target)
    except services.Refused as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(_back(url_for("downloads.detail", download_id=download.id)))


@bp.post("/<int:download_id>/cancel")
@login_required
def cancel(download_id: int):
    download = _download_or_404(download_id)
    return _act(services.cancel, download, download, "Cancelled; partial files are removed.")


@bp.post("/<int:download_id>/retry")
@login_required
def retry(download_id: int):
    download = _download_or_404(download_id)
    return _act(services.retry, download, download, "Trying the failed videos again.")


@bp.post("/items/<int:item_id>/cancel")
@login_required
def cancel_item(item_id: int):
    item = _item_or_404(item_id)
    return _act(services.cancel_item, item, item.download, "Cancelled that video.")


@bp.post("/items/<int:item_id>/retry")
@login_required
def retry_item(item_id: int):
    item = _item_or_404(item_id)
    return _act(services.retry_item, item, item.download, "Trying that video again.")


@bp.get("/thumbnail/<token>")
@login_required
def thumbnail(token: str):
    address = thumbs.address_of(token)
    if address is None:
        return placeholder(404)
    try:
        picture = thumbs.thumbnail(address)
    except (Missing, Unavailable):
        # A thumbnail the site no longer gives is no error on the page: a stand-in takes its place.
        return placeholder(200)
    return image_response(lambda: picture, max_age=86400)
