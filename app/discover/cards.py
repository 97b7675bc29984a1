"""What a card says at a glance: On Plex, Requested (by whom), Processing, Declined, or nothing."""

from dataclasses import dataclass

from app.discover.titles import Title
from app.library.matching import OnPlex, on_plex
from app.requests import states
from app.requests.lookup import TitleRequests, states_for

# Request statuses, as the few words a card has room for.
BADGES = {
    states.PENDING: "Requested",
    states.APPROVED: "Requested",
    states.FAILED: "Requested",
    states.PROCESSING: "Processing",
    states.PARTIALLY_AVAILABLE: "Processing",
    states.AVAILABLE: "Processing",  # Overseerr says so before our library has synced it
    states.DECLINED: "Declined",
}


@dataclass(frozen=True)
class Card:
    title: Title
    on_plex: OnPlex | None = None
    requested: TitleRequests | None = None

    @property
    def badge(self) -> str | None:
        if self.on_plex is not None:
            return "On Plex"
        if self.requested is not None:
            return BADGES.get(self.requested.status, self.requested.label)
        return None

    @property
    def badge_class(self) -> str:
        return {"On Plex": "badge-ok", "Declined": "badge-bad"}.get(self.badge or "", "")

    @property
    def note(self) -> str | None:
        """The line under the badge: seasons on Plex for shows, who asked for admins."""
        if self.on_plex is not None:
            count = len(self.on_plex.seasons)
            if self.title.media_type != "tv" or not count:
                return None
            total = len(self.title.requestable_seasons)
            if total > count:
                return f"{count} of {total} seasons"
            return f"{count} season{'' if count == 1 else 's'}"
        if self.requested is not None and self.requested.requested_by:
            names = self.requested.requested_by
            more = f" +{len(names) - 2}" if len(names) > 2 else ""
            return "by " + ", ".join(names[:2]) + more
        return None


def cards_for(titles: list[Title], viewer) -> dict[tuple[str, int], Card]:
    """A card per title, with one query for Plex and one for requests, however many titles."""
    keys = [t.key for t in titles]
    plex = on_plex(keys, include_hidden=bool(viewer.is_admin))
    asked = states_for(keys, viewer)
    return {t.key: Card(t, plex.get(t.key), asked.get(t.key)) for t in titles}
