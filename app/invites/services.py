"""Creating, listing, revoking and using invitations. Each link works once, until it expires."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import has_request_context, session
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.services import find_user
from app.extensions import db
from app.models import Invitation, User
from app.models.base import utcnow
from app.models.users import ROLE_ADMIN, ROLE_USER
from app.notifications.services import resolve, subject_of

EXPIRY_DAYS = {1: "1 day", 7: "7 days", 30: "30 days"}
DEFAULT_DAYS = 7
ROLES = {ROLE_USER: "User", ROLE_ADMIN: "Admin"}
LISTED = 100
# Where the Plex sign-in keeps the invitation it started from, until it comes back.
SESSION_KEY = "invite_token"

PROBLEMS = {
    "missing": "This invitation link is not valid. Check that it was copied whole.",
    "used": "This invitation has already been used. Each one lets one person in.",
    "revoked": "This invitation was withdrawn by an admin.",
    "expired": "This invitation has expired.",
}


class InviteProblem(Exception):
    """The link cannot be used; `state` says why (missing, used, revoked, expired)."""

    def __init__(self, state: str, invitation: Invitation | None = None):
        super().__init__(PROBLEMS[state])
        self.state, self.invitation = state, invitation


class UsernameTaken(Exception):
    """Someone already has that username."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _label(invitation: Invitation) -> str:
    return invitation.note or f"invitation #{invitation.id}"


def read_form(form) -> tuple[dict, dict]:
    """An admin's new invitation from a form: (values, errors by field)."""
    values = {name: form.get(name, "").strip() for name in ("note", "role", "days")}
    errors = {}
    if len(values["note"]) > 200:
        errors["note"] = "Keep the note under 200 characters."
    if values["role"] not in ROLES:
        errors["role"] = "Choose User or Admin."
    days = values["days"]
    if not (days.isascii() and days.isdigit() and len(days) < 4 and int(days) in EXPIRY_DAYS):
        errors["days"] = "Choose how long the link works."
    return values, errors


def create(*, actor, note: str = "", role: str = ROLE_USER, days: int = DEFAULT_DAYS):
    """A new invitation and its link's secret, which is shown once and kept only as a hash."""
    if role not in ROLES:
        raise ValueError("Choose User or Admin.")
    if days not in EXPIRY_DAYS:
        raise ValueError("Choose how long the link works.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=_hash(token),
        note=note.strip()[:200],
        role=role,
        expires_at=utcnow() + timedelta(days=days),
        created_by_id=actor.id,
        created_by_name=actor.username,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        "invite.created",
        actor=actor,
        target=_label(invitation),
        details={"role": role, "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")},
        commit=False,
    )
    db.session.commit()
    return invitation, token


def listed() -> list[Invitation]:
    """The newest invitations first, whatever their state."""
    stmt = select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    return list(db.session.scalars(stmt.limit(LISTED)))


def get(invitation_id: int) -> Invitation | None:
    if not 0 < invitation_id <= 2**31 - 1:
        return None
    return db.session.get(Invitation, invitation_id)


def revoke(invitation: Invitation, *, actor) -> bool:
    """Withdraw a link that was not used yet; False when it can no longer be used anyway."""
    if invitation.state() != "active":
        return False
    invitation.revoked_at = utcnow()
    invitation.revoked_by_name = actor.username
    audit.record("invite.revoked", actor=actor, target=_label(invitation), commit=False)
    db.session.commit()
    return True


def find(token: str) -> Invitation:
    """The usable invitation behind a link's secret; raises InviteProblem."""
    if not token or len(token) > 100:
        raise InviteProblem("missing")
    wanted = _hash(token)
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == wanted)
    ).first()
    if invitation is None or not hmac.compare_digest(invitation.token_hash, wanted):
        raise InviteProblem("missing")
    state = invitation.state()
    if state != "active":
        raise InviteProblem(state, invitation)
    return invitation


def _claim(invitation: Invitation, user: User) -> None:
    """Mark it used by this person, in the same transaction; only one claim can win."""
    now = utcnow()
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now, used_by_id=user.id, used_by_name=user.username)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # used, revoked or expired since it was read
        db.session.rollback()
        current = get(invitation.id)
        raise InviteProblem(current.state() if current else "missing", current)


def _used(invitation: Invitation, user: User, method: str) -> None:
    details = {"method": method, "invited_by": invitation.created_by_name or ""}
    if invitation.note:
        details["note"] = invitation.note
    audit.record("invite.used", actor=user, target=user.username, details=details, commit=False)


@dataclass
class SignUp:
    username: str
    password: str


def sign_up(token: str, form: SignUp) -> User:
    """A new local account from the invitation, let in at once.

    Raises InviteProblem or UsernameTaken; nothing is stored then.
    """
    invitation = find(token)
    if find_user(form.username) is not None:
        raise UsernameTaken
    user = User(username=form.username.strip(), role=invitation.role)
    user.set_password(form.password)
    db.session.add(user)
    try:
        db.session.flush()
        _claim(invitation, user)
        _used(invitation, user, "password")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise UsernameTaken from None
    return user


def accept_from_session(user: User, *, created: bool, method: str) -> bool:
    """Let a person in who came through an invitation and then signed in elsewhere (Plex).

    Only a new or waiting account uses it up; someone already in keeps it unused.
    """
    token = session.pop(SESSION_KEY, None) if has_request_context() else None
    if not token or not (created or user.pending):
        return False
    try:
        invitation = find(token)
        _claim(invitation, user)
    except InviteProblem:
        return False
    was_pending = user.pending
    user.pending = False
    if not user.is_owner:
        user.role = invitation.role
    _used(invitation, user, method)
    db.session.commit()
    if was_pending:
        resolve(subject_of("user", user.id))
    return True
