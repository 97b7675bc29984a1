"""Live downloads: progress bars from each event, cards and rows read again when one changes."""

from flask import render_template
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import select

from app.bounded import parse_id
from app.downloads import services, views
from app.extensions import db
from app.models import Download, DownloadItem
from app.models.downloads import RUNNING
from app.realtime.fragments import renders

# A change re-renders the rows it most likely touched, not all 5,000 of a channel's.
CHANGED_ROWS = 100


def _id(event: dict, key: str) -> int | None:
    return parse_id(event.get(key))


def _visible(event: dict) -> Download | None:
    """The event's download, when the person this socket belongs to may see it."""
    download_id = _id(event, "download_id")
    download = db.session.get(Download, download_id) if download_id else None
    return download if download is not None and services.can_see(current_user, download) else None


@renders("download.progress")
def progress(event: dict) -> str | None:
    """Rendered from the event alone (several a second): the video's bar and its download's."""
    download_id, item_id = _id(event, "download_id"), _id(event, "item_id")
    if download_id is None or item_id is None:
        return None
    live = {key: event.get(key) for key in ("pct", "download_pct", "speed", "eta", "phase")}
    return "".join(
        render_template("downloads/_progress.html", dom_id=dom_id, live=bar, active=True, oob=True)
        for dom_id, bar in (
            (f"dl-item-{item_id}-progress", live),
            (f"dl-{download_id}-progress", views.whole(live)),
        )
    )


@renders("download.changed")
def changed(event: dict) -> str | None:
    """The download's card, its page's header and its recently changed rows, from the database."""
    try:
        download = _visible(event)
        if download is None:
            return None
        card = views.card(download)
        html = render_template("downloads/_card.html", card=card, oob=True)
        html += render_template("downloads/_head.html", card=card, oob=True)
        items = db.session.scalars(
            select(DownloadItem)
            .where(DownloadItem.download_id == download.id)
            .order_by(DownloadItem.updated_at.desc(), DownloadItem.id.desc())
            .limit(CHANGED_ROWS)
        ).all()
        running = [i.id for i in items if i.status == RUNNING]
        live = services.live_progress(running) if running else {}
        for item in items:
            html += render_template(
                "downloads/_item_row.html", item=item, live=live.get(item.id), oob=True
            )
        return html
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection


@renders("download.added")
def added(event: dict) -> str | None:
    """A new download at the top of the first page of each list that shows it, and the quota."""
    try:
        download = _visible(event)
        if download is None:
            return None
        card = render_template("downloads/_card.html", card=views.card(download), oob=False)
        lists = ["everyone"] if current_user.is_admin else []
        if download.user_id == current_user.id or not current_user.is_admin:
            lists.append("mine")
        html = "".join(
            f'<div hx-swap-oob="afterbegin:#dl-cards-{name}">{card}</div>' for name in lists
        )
        if download.user_id == current_user.id:
            line = escape(views.person_quota_line(current_user))
            html += f'<li id="dl-quota" hx-swap-oob="true">{line}</li>'
        return html
    finally:
        db.session.remove()
