""" "New on Plex": what was added to the libraries a person can see, daily or weekly."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import select, update

from app.extensions import db
from app.library import catalog, mail_images
from app.models import MediaItem, NotifyProfile, User
from app.models.base import utcnow
from app.notify import links
from app.notify.outbox import emit
from app.notify.prefs import zone_of

PERIOD_DAYS = {"daily": 1, "weekly": 7}
MAX_ITEMS = 60  # a newsletter is a taste, not the catalog: the rest is one link away
POSTER_WIDTH = 150
GROUPS = (("movie", "Movies"), ("show", "Shows"), ("artist", "Music"))


@dataclass(frozen=True)
class Entry:
    title: str
    year: int | None
    url: str
    poster: str | None


def send_newsletters(now: datetime | None = None) -> int:
    """The scheduled job: for each person whose newsletter is due, one HTML email (with a
    plain-text part) of the titles added since their last one, with posters and links; nothing
    when nothing was added. Returns how many it queued."""
    now = now or utcnow()
    queued = 0
    for user_id in due_people(now):
        queued += send_one(user_id, now)
    return queued


def due_people(now: datetime) -> list[int]:
    query = (
        select(NotifyProfile)
        .join(User, User.id == NotifyProfile.user_id)
        .where(
            NotifyProfile.newsletter.in_(PERIOD_DAYS),
            User.disabled.is_(False),
            User.pending.is_(False),
        )
    )
    return [p.user_id for p in db.session.scalars(query) if is_due(p, now)]


def is_due(profile: NotifyProfile, now: datetime) -> bool:
    """At their digest hour or later, a day (or a week) of their calendar after the last one."""
    days = PERIOD_DAYS.get(profile.newsletter)
    zone = zone_of(profile)
    local = now.astimezone(zone)
    if days is None or local.hour < (profile.digest_hour or 0):
        return False
    last = profile.newsletter_sent_at
    # Calendar days, not 24-hour spans: a job that ran at 08:05 yesterday and 08:04 today is due.
    return last is None or (local.date() - last.astimezone(zone).date()).days >= days


def send_one(user_id: int, now: datetime) -> int:
    """Claim this person's newsletter and queue it; 1 when one was queued."""
    profile = db.session.get(NotifyProfile, user_id)
    user = db.session.get(User, user_id)
    period = timedelta(days=PERIOD_DAYS[profile.newsletter])
    since = profile.newsletter_sent_at or now - period
    if not _claim(profile, now):
        return 0  # another run took it
    # The mark moves on even when nothing was added, so the next one covers only what is new.
    items = added_between(since, now, include_hidden=user.is_admin)
    if not items:
        db.session.commit()
        return 0
    title, html, text = compose(user, items, profile.newsletter)
    emit(
        "plex.new",
        title,
        text,
        user_ids=[user.id],
        link=_path("library.index"),
        data={"html": html, "text": text},
        commit=False,
    )
    db.session.commit()
    return 1


def _claim(profile: NotifyProfile, now: datetime) -> bool:
    # A conditional update: of two runs at once, only one sees the old mark and moves it.
    before = profile.newsletter_sent_at
    mark = NotifyProfile.newsletter_sent_at
    condition = mark.is_(None) if before is None else mark == before
    result = db.session.execute(
        update(NotifyProfile)
        .where(NotifyProfile.user_id == profile.user_id, condition)
        .values(newsletter_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


def added_between(since: datetime, until: datetime, include_hidden: bool) -> list[MediaItem]:
    """Movies, shows and artists added in (since, until], in libraries this person may see."""
    query = catalog.live().where(
        MediaItem.type.in_([kind for kind, _ in GROUPS]),
        MediaItem.added_at > since,
        MediaItem.added_at <= until,
    )
    query = catalog.visible(query, include_hidden)
    query = query.order_by(MediaItem.added_at.desc(), MediaItem.id.desc()).limit(MAX_ITEMS + 1)
    return list(db.session.scalars(query))


def compose(user: User, items: list[MediaItem], cadence: str) -> tuple[str, str, str]:
    """(title, HTML, plain text) of one newsletter."""
    shown, more = items[:MAX_ITEMS], len(items) > MAX_ITEMS
    groups = [(heading, [_entry(i) for i in shown if i.type == kind]) for kind, heading in GROUPS]
    groups = [(heading, entries) for heading, entries in groups if entries]
    count = f"{len(shown)}{'+' if more else ''}"
    span = "today" if cadence == "daily" else "this week"
    title = f"New on Plex {span}: {count} title{'' if count == '1' else 's'}"
    context = {
        "title": title,
        "user": user,
        "groups": groups,
        "more": more,
        "library_url": links.absolute(_path("library.index")),
        "settings_url": links.absolute(_path("notify.account")),
    }
    html = render_template("notify/newsletter_email.html", **context)
    text = render_template("notify/newsletter_email.txt", **context)
    return title, html, text


def _entry(item: MediaItem) -> Entry:
    url = links.absolute(_path("library.item", rating_key=item.rating_key))
    token = mail_images.token_for(item.thumb, POSTER_WIDTH) if item.thumb else None
    poster = links.absolute(_path("library.mail_image", token=token)) if token else None
    return Entry(item.title, item.year, url, poster)


def _path(endpoint: str, **values) -> str:
    # Jobs have no request to build URLs from; the URL map builds the path alone.
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)
