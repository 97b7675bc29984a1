"""The kinds the notifications page filters by, from the event type each message came from."""

from dataclasses import dataclass

from app.notify.events import EVENT_TYPES
from app.paging import page_number

KINDS = {
    "requests": "Requests",
    "downloads": "Downloads",
    "uploads": "Uploads",
    "system": "Services and system",
    "account": "Account",
    "library": "New on Plex",
}
# The first part of an event type ("request.approved" -> "request") -> its kind.
_BY_PREFIX = {
    "request": "requests",
    "download": "downloads",
    "subscription": "downloads",
    "upload": "uploads",
    "service": "system",
    "disk": "system",
    "backup": "system",
    "system": "system",
    "signup": "account",
    "account": "account",
    "plex": "library",
}
# Words for an empty list: "No unread notifications about downloads."
_ABOUT = {
    "requests": "requests",
    "downloads": "downloads",
    "uploads": "uploads",
    "system": "services or the system",
    "account": "accounts",
    "library": "what is new on Plex",
}


def kind_of(type_key: str) -> str | None:
    return _BY_PREFIX.get(type_key.split(".", 1)[0])


def types_of(kind: str) -> list[str]:
    """The event types shown under a kind."""
    return [key for key in EVENT_TYPES if kind_of(key) == kind]


@dataclass(frozen=True)
class Filters:
    """What the page shows: unread only, and one kind; anything unknown means no filter."""

    unread: bool = False
    kind: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        kind = args.get("kind", "")
        return cls(
            unread=args.get("unread", "") in ("1", "on", "true"),
            kind=kind if kind in KINDS else "",
            page=page_number(args.get("page")),
        )

    @property
    def filtered(self) -> bool:
        return self.unread or bool(self.kind)

    def args(self, **changes) -> dict:
        """Query arguments for a link that keeps these filters (page 1 left out)."""
        values = {"unread": "1" if self.unread else None, "kind": self.kind or None}
        values["page"] = self.page if self.page > 1 else None
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", 1)}

    def empty_words(self) -> str:
        about = f" about {_ABOUT[self.kind]}" if self.kind else ""
        if self.unread:
            return f"No unread notifications{about}. You are all caught up."
        return f"No notifications{about} yet."
