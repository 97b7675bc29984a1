"""Download limits: videos added in the last 24 hours and storage kept, per person.

Each person's own limits (users.quota_downloads, users.quota_storage_gb) override the defaults of
Admin → Downloads; 0 or less means no limit. Admins have none.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.models import Download, DownloadItem, User
from app.models.base import utcnow
from app.models.downloads import FINISHED

GB = 1024**3
# The videos that count against a person's storage: finished, and not reused from another download.
KEPT = (DownloadItem.status == FINISHED, DownloadItem.reused.is_(False))


@dataclass(frozen=True)
class Quota:
    videos_today: int
    videos_limit: int | None  # None: no limit
    bytes_used: int
    bytes_limit: int | None  # None: no cap

    @property
    def videos_left(self) -> int | None:
        return None if self.videos_limit is None else max(0, self.videos_limit - self.videos_today)

    @property
    def storage_full(self) -> bool:
        return self.bytes_limit is not None and self.bytes_used >= self.bytes_limit


def quota(user: User) -> Quota:
    """Videos added in the last 24 hours and storage kept, against this person's limits."""
    since = utcnow() - timedelta(days=1)
    videos = db.session.scalar(
        select(func.coalesce(func.sum(Download.total_items), 0)).where(
            Download.user_id == user.id, Download.created_at >= since
        )
    )
    used = db.session.scalar(
        select(func.coalesce(func.sum(DownloadItem.size_bytes), 0))
        .join(Download, Download.id == DownloadItem.download_id)
        .where(Download.user_id == user.id, *KEPT)
    )
    per_day = user.quota_downloads if user.quota_downloads is not None else None
    if per_day is None:
        per_day = settings.get("quota.downloads")
    cap_gb = user.quota_storage_gb
    if cap_gb is None:
        cap_gb = settings.get("downloads.storage_gb")
    return Quota(
        videos_today=int(videos or 0),
        videos_limit=None if per_day <= 0 else int(per_day),
        bytes_used=int(used or 0),
        bytes_limit=None if not cap_gb or cap_gb <= 0 else int(cap_gb * GB),
    )


def storage_per_person(limit: int = 20) -> list[tuple[str, int]]:
    """(username, bytes kept) of the people using the most storage, largest first."""
    used = func.coalesce(func.sum(DownloadItem.size_bytes), 0)
    rows = db.session.execute(
        select(User.username, used)
        .join(Download, Download.user_id == User.id)
        .join(DownloadItem, DownloadItem.download_id == Download.id)
        .where(*KEPT)
        .group_by(User.id, User.username)
        .having(used > 0)
        .order_by(used.desc(), User.username)
        .limit(limit)
    )
    return [(name, int(total)) for name, total in rows]


def videos_left(user: User) -> int | None:
    """How many more videos this person may add today; None when there is no limit."""
    return None if user.is_admin else quota(user).videos_left


def problem(user: User, count: int | None) -> str | None:
    """Why adding `count` videos (None: not known yet) is over this person's limits, if it is."""
    if user.is_admin:
        return None
    left = quota(user)
    if left.storage_full:
        return (
            f"Your downloads use all of your {left.bytes_limit / GB:.0f} GB; ask an admin for "
            "more room or remove some."
        )
    if left.videos_left is None:
        return None
    if left.videos_left <= 0:
        return f"You have added your {left.videos_limit} videos for today; try tomorrow."
    if count is not None and count > left.videos_left:
        return (
            f"That is {count} videos and you have {left.videos_left} left today: choose fewer "
            f"(e.g. 1-{left.videos_left})."
        )
    return None
