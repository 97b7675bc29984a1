"""A request's states, their words, and the order they may move in."""

PENDING = "pending"  # waiting for an admin (ours, or Overseerr's own approval)
APPROVED = "approved"
PROCESSING = "processing"  # Overseerr's Sonarr/Radarr are fetching it
PARTIALLY_AVAILABLE = "partially_available"
AVAILABLE = "available"
DECLINED = "declined"
FAILED = "failed"

# Forward progress; a replayed or late message never moves a request back down this list.
PROGRESS = (PENDING, APPROVED, PROCESSING, PARTIALLY_AVAILABLE, AVAILABLE)
FINAL = frozenset({AVAILABLE, DECLINED})
# Statuses that still hold quota and that a second request for the same title should follow.
ACTIVE = frozenset({PENDING, APPROVED, PROCESSING, PARTIALLY_AVAILABLE})

LABELS = {
    PENDING: "Waiting for approval",
    APPROVED: "Approved",
    PROCESSING: "Processing",
    PARTIALLY_AVAILABLE: "Partially available",
    AVAILABLE: "Available",
    DECLINED: "Declined",
    FAILED: "Failed",
}

# Overseerr's enums (Seerr's extra values included), as our statuses.
OVERSEERR_REQUEST = {1: PENDING, 2: APPROVED, 3: DECLINED, 4: FAILED, 5: AVAILABLE}
OVERSEERR_MEDIA = {
    1: None,  # UNKNOWN: says nothing about the request
    2: None,  # PENDING: the request's own status tells more
    3: PROCESSING,
    4: PARTIALLY_AVAILABLE,
    5: AVAILABLE,
    6: None,  # BLOCKLISTED (Seerr)
    7: None,  # DELETED (Seerr)
}


def may_move(old: str, new: str) -> bool:
    """Whether a request may go from old to new: forward, to declined/failed, or failed -> retry."""
    if old == new:
        return False
    if old == AVAILABLE:
        return False
    if new in (DECLINED, FAILED):
        return old != DECLINED
    if old == DECLINED:
        return False
    if old == FAILED:
        return True  # an admin's retry, or Overseerr reporting progress after all
    return PROGRESS.index(new) > PROGRESS.index(old)


def label(status: str) -> str:
    return LABELS.get(status, status.replace("_", " ").capitalize())


def season_label(status: str) -> str:
    """A request's words for one of its seasons that is not on Plex yet: a partly available
    request is still fetching that season, so the season itself is not "partially" anything."""
    return label(PROCESSING if status == PARTIALLY_AVAILABLE else status)
