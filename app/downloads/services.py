"""Downloads: adding (checked, quota-bound, shared when two people add the same thing),
cancelling, retrying, and what each person may see. No request object here."""

import json
import logging
import shutil
from dataclasses import asdict, dataclass

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.after_commit import after_commit
from app.downloads import lifecycle, quotas, selection, setup, urls
from app.downloads.progress import PROGRESS_KEY
from app.extensions import db, redis_conn
from app.integrations import ytdlp
from app.integrations.ytdlp import Entry, Guard, Preview
from app.jobs import enqueue
from app.models import Download, DownloadItem, DownloadWatcher, User
from app.models.base import utcnow
from app.models.downloads import (
    ACTIVE,
    CANCELLED,
    FAILED,
    QUEUED,
    SKIPPED,
)
from app.paging import paginate
from app.realtime.events import publish

log = logging.getLogger(__name__)

PER_PAGE = 20
PREVIEW_SECONDS = 600


class Refused(Exception):
    """An add, cancel or retry that cannot happen; the message is for the person."""


@dataclass(frozen=True)
class Added:
    download: Download
    shared: bool  # True when someone was already downloading it: this person now watches it


def guard() -> Guard:
    """What yt-dlp may reach and read with, from Admin → Downloads."""
    return Guard(allowed_hosts=setup.allowed_hosts(), cookies_file=setup.cookies_file())


def check_url(url: str) -> urls.Source:
    return urls.check(url.strip(), hosts=setup.allowed_hosts(), sites=setup.allowed_sites())


# -- preview ------------------------------------------------------------------------------------


def preview(user: User, url: str, page: int = 1) -> Preview:
    """Check the address (UrlRefused) and read it flat (FetchError); cached a few minutes."""
    _require_active(user)
    source = check_url(url)
    page = min(max(page, 1), selection.MAX_POSITION)
    key = f"medianest:downloads:preview:{source.key}:{page}"
    cached = _cached_preview(key)
    if cached is not None:
        return cached
    size = current_app.config["PREVIEW_PAGE_SIZE"]
    found = ytdlp.preview(source.url, page=page, page_size=size, guard=guard())
    try:
        redis_conn().set(key, json.dumps(asdict(found)), ex=PREVIEW_SECONDS)
    except RedisError as exc:
        log.warning("Could not cache a preview: %s", exc)
    return found


def _cached_preview(key: str) -> Preview | None:
    try:
        raw = redis_conn().get(key)
    except RedisError:
        return None
    if not raw:
        return None
    data = json.loads(raw)
    data["entries"] = [Entry(**entry) for entry in data["entries"]]
    return Preview(**data)


# -- adding -------------------------------------------------------------------------------------


def _require_active(user: User) -> None:
    if user is None or user.disabled:
        raise Refused("Your account is disabled, so it cannot download.")
    if user.pending:
        raise Refused("Your account is waiting for an admin's approval.")


def add(
    user: User,
    url: str,
    *,
    quality: str = "best",
    items: str = "all",
    client_token: str | None = None,
) -> Added:
    """Commit a download; a job lists its videos and starts them. `items` is "all" or "1-10, 15"
    (positions in the playlist). Raises Refused, UrlRefused or FetchError."""
    _require_active(user)
    if client_token and (same := _by_token(client_token)) is not None:
        return Added(same, shared=same.user_id != user.id)
    if quality not in ytdlp.QUALITIES:
        raise Refused("Choose a quality from the list.")
    try:
        chosen = selection.parse(items)
    except selection.SelectionError as exc:
        raise Refused(str(exc)) from None
    found = preview(user, url)
    count = 1 if found.kind == "video" else selection.count(chosen, found.count)
    active_key = f"{found.source_key}|{quality}"
    if (running := _active(active_key)) is not None:
        return Added(_watch(running, user), shared=True)
    _check_quota(user, count)
    download = Download(
        user_id=user.id,
        client_token=client_token or None,
        source_url=check_url(url).url,
        source_key=found.source_key,
        active_key=active_key,
        kind=found.kind,
        title=found.title[:500],
        uploader=found.uploader[:500],
        thumbnail_url=found.thumbnail,
        quality=quality,
        selection="all" if found.kind == "video" else chosen,
        total_items=count or 0,
    )
    db.session.add(download)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone added the same thing (or this form was sent twice) a moment ago.
        db.session.rollback()
        if client_token and (same := _by_token(client_token)) is not None:
            return Added(same, shared=same.user_id != user.id)
        if (running := _active(active_key)) is not None:
            return Added(_watch(running, user), shared=True)
        raise Refused("That was added a moment ago; reload the page.") from None
    start_listing(download)
    announce_added(download)
    db.session.commit()
    return Added(download, shared=False)


def _by_token(token: str) -> Download | None:
    return db.session.scalars(select(Download).where(Download.client_token == token)).first()


def _active(active_key: str) -> Download | None:
    return db.session.scalars(select(Download).where(Download.active_key == active_key)).first()


def _watch(download: Download, user: User) -> Download:
    """Let this person see and hear about a download someone else started."""
    if (
        download.user_id != user.id
        and db.session.get(DownloadWatcher, (download.id, user.id)) is None
    ):
        db.session.add(DownloadWatcher(download_id=download.id, user_id=user.id))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    return download


def announce_added(download: Download) -> None:
    """After the commit, put the new download on the open Downloads pages that list it."""
    event = {"type": "download.added", "download_id": download.id}
    owner = download.user_id
    after_commit(lambda: publish(event, user_ids=[owner], admins=True))


def start_listing(download: Download) -> None:
    """After the commit, start the job that lists the download's videos."""
    download_id = download.id
    after_commit(
        lambda: enqueue(
            "app.downloads.tasks.list_download",
            download_id,
            queue="default",
            job_id=f"download-list-{download_id}",
        )
    )


def add_entries(
    user: User,
    source_url: str,
    source_key: str,
    kind: str,
    title: str,
    uploader: str,
    entries: list[Entry],
    *,
    quality: str = "best",
    subscription_id: int | None = None,
) -> Download | None:
    """Commit a download of these listed videos (a subscription's new ones) and start them;
    None if there are none. Raises Refused when over quota."""
    _require_active(user)
    if not entries:
        return None
    _check_quota(user, len(entries))
    download = Download(
        user_id=user.id,
        source_url=source_url,
        source_key=source_key,
        kind=kind,
        title=title[:500],
        uploader=uploader[:500],
        quality=quality,
        subscription_id=subscription_id,
        total_items=len(entries),
    )
    db.session.add(download)
    db.session.flush()
    from app.downloads.tasks import add_items

    add_items(download, list(enumerate(entries, start=1)))
    announce_added(download)
    db.session.commit()
    return download


def _check_quota(user: User, count: int | None) -> None:
    if problem := quotas.problem(user, count):
        raise Refused(problem)


# -- seeing -------------------------------------------------------------------------------------


def can_see(user: User, download: Download) -> bool:
    """Admins, the person who added it, and people watching it."""
    if user.is_admin or download.user_id == user.id:
        return True
    return db.session.get(DownloadWatcher, (download.id, user.id)) is not None


def can_change(user: User, download: Download) -> bool:
    """Admins and the person who added it may cancel and retry."""
    return user.is_admin or download.user_id == user.id


def audience(download: Download) -> list[int]:
    """Who hears about a download: the person who added it and its watchers (admins apart)."""
    watchers = db.session.scalars(
        select(DownloadWatcher.user_id).where(DownloadWatcher.download_id == download.id)
    ).all()
    return [download.user_id, *watchers]


def visible(user: User, *, everyone: bool = False, page: int = 1):
    """The downloads this person sees, newest first (admins: everyone's when asked), paged."""
    query = (
        select(Download)
        .where(Download.status != SKIPPED)  # a subscription's record of videos it passed over
        .order_by(Download.created_at.desc(), Download.id.desc())
    )
    if not (everyone and user.is_admin):
        watched = select(DownloadWatcher.download_id).where(DownloadWatcher.user_id == user.id)
        query = query.where(or_(Download.user_id == user.id, Download.id.in_(watched)))
    return paginate(query, page, PER_PAGE)


# -- cancel and retry ---------------------------------------------------------------------------


def _require_change(user: User, download: Download) -> None:
    if not can_change(user, download):
        raise Refused("Only the person who added this download, or an admin, can change it.")


def cancel(user: User, download: Download) -> None:
    """Stop every video not finished yet; partial files go. Raises Refused."""
    _require_change(user, download)
    open_items = [i for i in download.items if i.status in ACTIVE]
    if not open_items and download.status not in ACTIVE:
        raise Refused("This download has already ended.")
    for item in open_items:
        _cancel(item)
    lifecycle.settle(download, cancelled=True)
    db.session.commit()


def cancel_item(user: User, item: DownloadItem) -> None:
    _require_change(user, item.download)
    if item.status not in ACTIVE:
        raise Refused("This video has already ended.")
    _cancel(item)
    lifecycle.settle(item.download)
    db.session.commit()


def _cancel(item: DownloadItem) -> None:
    item.status = CANCELLED
    item.error, item.error_code = ytdlp.ERROR_WORDS[ytdlp.CANCELLED], ytdlp.CANCELLED
    item.updated_at = utcnow()
    # The running job sees the status within a moment, ends yt-dlp and ffmpeg and clears this
    # too; removing it here covers a job that is not running at all.
    shutil.rmtree(setup.staging_root() / str(item.id), ignore_errors=True)


def retry(user: User, download: Download) -> int:
    """Queue the failed and cancelled videos again; returns how many."""
    _require_change(user, download)
    again = [i for i in download.items if i.status in (FAILED, CANCELLED)]
    if not again and download.items:
        raise Refused("Nothing here failed or was cancelled.")
    if not download.items:  # the listing itself failed: list again
        download.status, download.error = QUEUED, None
        lifecycle.reopen(download)
        start_listing(download)
    for item in again:
        lifecycle.requeue(item)
    lifecycle.settle(download)
    db.session.commit()
    return len(again)


def retry_item(user: User, item: DownloadItem) -> None:
    _require_change(user, item.download)
    if item.status not in (FAILED, CANCELLED):
        raise Refused("Only a failed or cancelled video can be tried again.")
    lifecycle.requeue(item)
    lifecycle.settle(item.download)
    db.session.commit()


def live_progress(item_ids) -> dict[int, dict]:
    """The latest progress event of each running video (pct, speed, eta), for a page render."""
    item_ids = list(item_ids)
    if not item_ids:
        return {}
    try:
        values = redis_conn().mget([f"{PROGRESS_KEY}{i}" for i in item_ids])
    except RedisError:
        return {}
    return {i: json.loads(v) for i, v in zip(item_ids, values, strict=True) if v}
