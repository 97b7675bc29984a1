"""Jobs that check subscriptions: the minute's cron starts the due ones, each check is cheap.

A channel is listed only at its newest entries, a playlist flat and paged. What is new is what
this subscription has no video of (for a channel: only above the newest one it has). The first
check takes the newest few and remembers the rest as already there, so they are never fetched.
"""

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.downloads import quotas, services, urls
from app.downloads.subscription_retention import apply_retention
from app.downloads.subscriptions import CHECK_TIMEOUT
from app.extensions import db
from app.integrations import ytdlp
from app.jobs import enqueue
from app.models import Download, DownloadItem, Subscription, User
from app.models.base import utcnow
from app.models.downloads import SKIPPED
from app.notify.outbox import emit
from app.realtime.events import publish

log = logging.getLogger(__name__)

CHANNEL_WINDOW = 15  # newest entries of a channel listed on each check
PLAYLIST_PAGE = 1000  # one listing is a few seconds of yt-dlp at this size
PLAYLIST_MOST = 5000
DUE_BATCH = 500  # checks started a minute at most; the rest wait for the next minute
FROM_NOW = "Nothing new yet: new videos are downloaded from now on"


def check_due_subscriptions() -> int:
    """Start a check for every enabled subscription whose next check is due."""
    due = db.session.scalars(
        select(Subscription.id)
        .where(Subscription.enabled.is_(True), Subscription.next_check_at <= utcnow())
        .order_by(Subscription.next_check_at)
        .limit(DUE_BATCH)
    ).all()
    db.session.rollback()
    started = 0
    for sub_id in due:
        try:
            enqueue(
                "app.downloads.subscription_tasks.check_subscription",
                sub_id,
                job_id=f"subscription-{sub_id}",
                job_timeout=CHECK_TIMEOUT,
            )
            started += 1
        except RedisError as exc:
            log.warning("Could not start the check of subscription %s: %s", sub_id, exc)
            break
    return started


def check_subscription(subscription_id: int) -> str:
    """List the source, download what is new, record what was found, then apply retention."""
    sub = _claim(subscription_id)
    if sub is None:
        return "skipped"
    first = sub.last_checked_at is None
    start_with = sub.start_with if first else 0
    failed = True
    try:
        added, result = _check(sub, first, start_with)
        failed = False
    except urls.UrlRefused as exc:
        result = str(exc)
    except ytdlp.FetchError as exc:
        result = exc.message
    except Exception:
        log.exception("Checking subscription %s failed", subscription_id)
        result = "The check failed unexpectedly; it runs again at the next check."
    db.session.rollback()
    sub = db.session.get(Subscription, subscription_id)
    if sub is None:
        return "gone"
    # Retention runs before the check is recorded, so a check seen as done has its removals.
    try:
        apply_retention(sub)
    except Exception:
        log.exception("Retention of subscription %s failed", subscription_id)
        db.session.rollback()
        sub = db.session.get(Subscription, subscription_id)
        if sub is None:
            return "gone"
    sub.last_result = result[:500]
    if not (first and failed):
        # A first check that could not list the source stays the first one: what was there
        # before is remembered, and the newest few taken, only once the source is read.
        sub.last_checked_at, sub.last_new = utcnow(), 0 if failed else added
    db.session.commit()
    # Open subscription pages show what this check found.
    event = {"type": "subscription.changed", "subscription_id": subscription_id}
    publish(event, user_ids=[sub.user_id], admins=True)
    return result


def _claim(subscription_id: int) -> Subscription | None:
    """The due subscription, its next check moved on first, so a failure keeps the schedule
    and a second run of the same job finds it not due."""
    sub = db.session.get(Subscription, subscription_id)
    now = utcnow()
    if sub is None or not sub.enabled or sub.next_check_at > now + timedelta(seconds=1):
        db.session.rollback()
        return None
    taken = db.session.execute(
        update(Subscription)
        .where(Subscription.id == sub.id, Subscription.next_check_at == sub.next_check_at)
        .values(next_check_at=now + timedelta(minutes=sub.interval_minutes))
    )
    db.session.commit()
    return db.session.get(Subscription, subscription_id) if taken.rowcount == 1 else None


def _check(sub: Subscription, first: bool, start_with: int) -> tuple[int, str]:
    """Download what is new; returns how many were added and the words for the list."""
    source = services.check_url(sub.source_url)
    known = _known(sub.id)
    window = max(CHANNEL_WINDOW, start_with)
    listed = _listing(source.url, sub.kind, window, services.guard())
    # A busy channel may have put out more than a window of videos since the last check: list
    # further back until a video this subscription knows shows up (or the channel ends).
    while not first and sub.kind == "channel" and _all_new(listed, known, window):
        window = min(window * 4, PLAYLIST_MOST)
        listed = _listing(source.url, sub.kind, window, services.guard())
    new = pick_new(listed, known, sub.kind)
    ordered = newest_first(new, sub.kind)
    if first:
        ordered, already = ordered[:start_with], ordered[start_with:]
        _remember(sub, already)
    if not ordered:
        return 0, FROM_NOW if first else "Nothing new"
    batch = ordered[::-1]  # oldest first: episodes number in the order they came out
    user = db.session.get(User, sub.user_id)
    left = quotas.videos_left(user)
    if left is not None:
        batch = batch[:left]  # the oldest now; the newer ones wait for the next check
    waiting = len(ordered) - len(batch)
    if batch:
        try:
            _add(user, sub, batch)
        except services.Refused as exc:  # storage full, or the account disabled
            db.session.rollback()
            return 0, f"{_count_words(len(ordered))} wait{'s' if len(ordered) == 1 else ''}: {exc}"
    return len(batch), _found_words(len(batch), waiting)


def _listing(url: str, kind: str, window: int, guard: ytdlp.Guard) -> list[ytdlp.Entry]:
    if kind == "channel":
        return list(ytdlp.list_entries(url, start=1, end=window, guard=guard))
    entries: list[ytdlp.Entry] = []
    start = 1
    while start <= PLAYLIST_MOST:
        end = min(start + PLAYLIST_PAGE - 1, PLAYLIST_MOST)
        page = list(ytdlp.list_entries(url, start=start, end=end, guard=guard))
        entries.extend(page)
        if len(page) <= end - start:
            break
        start = end + 1
    return entries


def _all_new(listed, known, window: int) -> bool:
    """Whether a full window was listed and none of it is known (more may lie beyond)."""
    if len(listed) < window or window >= PLAYLIST_MOST:
        return False
    return not any((e.extractor.lower(), e.video_id) in known for e in listed)


def _known(sub_id: int) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(DownloadItem.extractor, DownloadItem.video_id)
        .join(Download, Download.id == DownloadItem.download_id)
        .where(Download.subscription_id == sub_id)
    ).all()
    return {(extractor.lower(), video_id) for extractor, video_id in rows}


def pick_new(entries, known: set[tuple[str, str]], kind: str) -> list:
    """Entries this subscription has no video of, in listing order. A channel lists newest
    first, so its new ones end at the first it knows: older ones that slide into the window
    when a video is deleted are not new."""
    new, seen = [], set(known)
    for entry in entries:
        key = (entry.extractor.lower(), entry.video_id)
        if key in known and kind == "channel":
            break
        if key not in seen:
            seen.add(key)
            new.append(entry)
    return new


def newest_first(entries, kind: str) -> list:
    """By upload date when every entry has one; else a channel's order, a playlist's reversed
    (videos are added at a playlist's end)."""
    base = list(entries) if kind == "channel" else list(entries)[::-1]
    if base and all(_dated(e.upload_date) for e in base):
        return sorted(base, key=lambda e: e.upload_date, reverse=True)  # stable for ties
    return base


def _dated(value: str | None) -> bool:
    return bool(value) and len(value) == 8 and value.isdigit()


def _count_words(n: int) -> str:
    return f"{n} video{'s' if n != 1 else ''}"


def _found_words(added: int, waiting: int) -> str:
    words = f"{added} new video{'s' if added != 1 else ''}" if added else ""
    if waiting:
        wait = f"over your quota: {_count_words(waiting)} wait{'s' if waiting == 1 else ''}"
        return f"{words}; {wait}" if words else wait[0].upper() + wait[1:]
    return words or "Nothing new"


def _add(user: User, sub: Subscription, batch: list) -> None:
    """Start downloading the new videos; the word of them commits with the download."""
    _tell_found(sub, len(batch))
    services.add_entries(
        user,
        sub.source_url,
        sub.source_key,
        sub.kind,
        sub.title,
        next((e.uploader for e in batch if e.uploader), ""),
        batch,
        quality=sub.quality,
        subscription_id=sub.id,
    )


def _tell_found(sub: Subscription, count: int) -> None:
    """One message per check, with the count (a refused download rolls it back)."""
    emit(
        "subscription.new",
        f"New from {sub.title}: {_count_words(count)}"[:200],
        f"{_count_words(count).capitalize()} {'is' if count == 1 else 'are'} downloading.",
        user_ids=[sub.user_id],
        link=f"/downloads/subscriptions/{sub.id}",
        data={"subscription_id": sub.id, "count": count},
        commit=False,
    )


def _remember(sub: Subscription, entries: list) -> None:
    """Record what was there before the subscription, as skipped videos holding no file."""
    if not entries:
        return
    now = utcnow()
    marker = Download(
        user_id=sub.user_id,
        source_url=sub.source_url,
        source_key=sub.source_key,
        kind=sub.kind,
        # Lists that show it anyway should read what it is.
        title=f"{sub.title}: there before the subscription, not downloaded"[:500],
        status=SKIPPED,
        total_items=0,  # counts against no quota: nothing is fetched
        subscription_id=sub.id,
        finished_at=now,
    )
    marker.items = [
        DownloadItem(
            position=n,
            extractor=e.extractor.lower()[:64],
            video_id=e.video_id[:200],
            url=e.url[:2000],
            title=(e.title or "")[:500],
            upload_date=e.upload_date if _dated(e.upload_date) else None,
            status=SKIPPED,
            finished_at=now,
        )
        for n, e in enumerate(entries, start=1)
    ]
    db.session.add(marker)
    db.session.commit()
