"""Which Overseerr user each person is: matched by Plex account id, as Overseerr imports them."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.auth.usernames import visible
from app.extensions import db
from app.models import OverseerrLink, User
from app.models.base import utcnow
from app.models.identities import PLEX, Identity


@dataclass
class Matches:
    matched: list[tuple[User, str]] = field(default_factory=list)  # person, Overseerr name
    unmatched: list[User] = field(default_factory=list)


def _name(user: dict) -> str:
    raw = user.get("displayName") or user.get("plexUsername") or user.get("username") or ""
    return visible(str(raw))[:255] or f"user {user.get('id')}"


def refresh(client) -> Matches:
    """Read Overseerr's users and link every person whose Plex account is one of them.

    Links an admin set by hand stay unless the Plex id now points elsewhere. Does not commit.
    """
    by_plex = {}
    for user in client.all_users():
        plex_id, overseerr_id = user.get("plexId"), user.get("id")
        if plex_id not in (None, "") and isinstance(overseerr_id, int):
            by_plex[str(plex_id)] = user
    plex_of = dict(
        db.session.execute(
            select(Identity.user_id, Identity.subject).where(Identity.provider == PLEX)
        ).all()
    )
    links = {link.user_id: link for link in db.session.scalars(select(OverseerrLink))}
    report = Matches()
    for person in db.session.scalars(select(User).order_by(User.username)):
        found = by_plex.get(plex_of.get(person.id, ""))
        link = links.get(person.id)
        if found is not None:
            if link is None:
                link = OverseerrLink(user_id=person.id, overseerr_user_id=found["id"])
                db.session.add(link)
            link.overseerr_user_id, link.overseerr_name = found["id"], _name(found)
            link.matched_at = utcnow()
            report.matched.append((person, link.overseerr_name))
        elif link is not None:
            report.matched.append((person, link.overseerr_name))
        else:
            report.unmatched.append(person)
    db.session.flush()
    return report


def overseerr_user_of(user_id: int) -> int | None:
    link = db.session.get(OverseerrLink, user_id)
    return None if link is None else link.overseerr_user_id
