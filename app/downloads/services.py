"""Downloads: adding (checked, quota-bound, shared when two people add the same thing),
cancelling, retrying, and what each person may see. No request object here."""

from dataclasses import dataclass

from app.integrations.ytdlp import Entry, Preview
from app.models import Download, DownloadItem, User


class Refused(Exception):
    """An add, cancel or retry that cannot happen; the message is for the person."""


@dataclass(frozen=True)
class Quota:
    videos_today: int
    videos_limit: int | None  # None: no limit
    bytes_used: int
    bytes_limit: int | None  # None: no cap

    @property
    def videos_left(self) -> int | None: ...


@dataclass(frozen=True)
class Added:
    download: Download
    shared: bool  # True when someone was already downloading it: this person now watches it


def preview(user: User, url: str, page: int = 1) -> Preview:
    """Check the address (UrlRefused) and read it flat (FetchError); cached a few minutes."""
    raise NotImplementedError


def add(
    user: User,
    url: str,
    *,
    quality: str = "best",
    items: str = "all",
    client_token: str | None = None,
) -> Added:
    """Commit a download and its videos, then start them. `items` is "all" or "1-10, 15"
    (positions in the playlist). Raises Refused, UrlRefused or FetchError."""
    raise NotImplementedError


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
    """Commit a download of these listed videos (a subscription's new ones); None if none."""
    raise NotImplementedError


def quota(user: User) -> Quota:
    raise NotImplementedError


def can_see(user: User, download: Download) -> bool:
    """Admins, the person who added it, and people watching it."""
    raise NotImplementedError


def visible(user: User, *, everyone: bool = False, page: int = 1):
    """The downloads this person sees, newest first (admins: everyone's when asked), paged."""
    raise NotImplementedError


def cancel(user: User, download: Download) -> None:
    """Stop every video not finished yet; partial files go. Raises Refused."""
    raise NotImplementedError


def cancel_item(user: User, item: DownloadItem) -> None:
    raise NotImplementedError


def retry(user: User, download: Download) -> int:
    """Queue the failed and cancelled videos again; returns how many."""
    raise NotImplementedError


def retry_item(user: User, item: DownloadItem) -> None:
    raise NotImplementedError


def live_progress(item_ids) -> dict[int, dict]:
    """The latest progress event of each running video (pct, speed, eta), for a page render."""
    raise NotImplementedError
