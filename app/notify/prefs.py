"""What each person wants: ways per event type (defaults from events.py), quiet hours, digests."""

from sqlalchemy import select

from app.extensions import db
from app.models import NotifyPref, NotifyProfile
from app.notify.events import EMAIL, IN_APP, TARGETS, event_type


def ways_for(user_ids, type_key: str) -> dict[int, set[str]]:
    """For each person, the ways they want events of this type (their choice, else the default)."""
    default = set(event_type(type_key).ways)
    chosen = (
        {
            row.user_id: row
            for row in db.session.scalars(
                select(NotifyPref).where(
                    NotifyPref.user_id.in_(list(user_ids)), NotifyPref.event_type == type_key
                )
            )
        }
        if user_ids
        else {}
    )
    out = {}
    for uid in user_ids:
        row = chosen.get(uid)
        if row is None:
            out[uid] = set(default)
        else:
            out[uid] = {
                w
                for w, on in ((IN_APP, row.in_app), (EMAIL, row.email), (TARGETS, row.targets))
                if on
            }
    return out


def profile(user_id: int) -> NotifyProfile:
    """The person's delivery settings; a default (unsaved until changed) when they have none."""
    found = db.session.get(NotifyProfile, user_id)
    return found if found is not None else NotifyProfile(user_id=user_id)
