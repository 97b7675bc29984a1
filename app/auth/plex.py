"""Signing in with Plex: the PIN round trip, who may enter, and the account it maps to."""

import logging
import time
import uuid

from flask import current_app, session, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import settings
from app.auth.services import free_username
from app.auth.usernames import visible
from app.extensions import db, redis_conn
from app.integrations.plextv import PlexAccount, PlexTv, PlexTvError
from app.models import Identity, Setting, User
from app.models.base import utcnow
from app.models.identities import PLEX, PLEX_ISSUER
from app.notify.prefs import own_email_confirmed

log = logging.getLogger(__name__)

PIN_SESSION_KEY = "plex_pin"
PIN_MAX_AGE = 15 * 60  # plex.tv's own PIN lifetime


class SignInProblem(Exception):
    """The sign-in cannot finish; the message says why and what to do."""


class NotAllowed(Exception):
    """A real Plex account without access to this server (reason: no_server | not_shared)."""

    def __init__(self, reason: str, account: PlexAccount | None = None):
        super().__init__(reason)
        self.reason, self.account = reason, account


def client_id() -> str:
    """This install's stable X-Plex-Client-Identifier, created on first use."""
    existing = settings.get("instance.client_id")
    if existing:
        return existing
    db.session.add(Setting(key="instance.client_id", value=str(uuid.uuid4())))
    try:
        db.session.commit()
    except IntegrityError:  # another process created it first
        db.session.rollback()
    return settings.get("instance.client_id")


def plextv() -> PlexTv:
    read_timeout = current_app.config["PLEX_TV_TIMEOUT"]
    return PlexTv(current_app.config["PLEX_TV_URL"], client_id(), timeout=(3.05, read_timeout))


def start(purpose: str, next_url: str | None = None) -> str:
    """Create a PIN for this browser and return the plex.tv address to send it to."""
    api = plextv()
    pin = api.create_pin()
    session[PIN_SESSION_KEY] = {
        "id": pin.id,
        "purpose": purpose,
        "next": next_url,
        "at": time.time(),
    }
    forward = url_for("auth.plex_callback", _external=True)
    return api.auth_url(current_app.config["PLEX_APP_URL"], pin.code, forward)


def finish() -> tuple[str, str, str | None]:
    """Check this browser's PIN with plex.tv: (purpose, token, next). Each PIN works once."""
    pending = session.pop(PIN_SESSION_KEY, None)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PIN_MAX_AGE:
        raise SignInProblem("This Plex sign-in has expired or was started in another browser.")
    if not redis_conn().set(f"medianest:plex-pin-used:{pending['id']}", 1, nx=True, ex=3600):
        raise SignInProblem("This Plex sign-in was already used. Please start again.")
    try:
        token = plextv().pin_token(pending["id"])
    except PlexTvError as exc:
        raise SignInProblem(str(exc)) from None
    if not token:
        raise SignInProblem("Plex has not confirmed the sign-in. If you cancelled it, start again.")
    return pending["purpose"], token, pending.get("next")


def check_access(account: PlexAccount, token: str) -> bool:
    """Whether this account may enter; True for the server's owner. Raises NotAllowed."""
    machine_id = settings.get("plex.machine_id")
    if not machine_id:
        raise NotAllowed("no_server", account)
    if str(account.id) == settings.get("plex.owner_account_id"):
        return True
    owner_token = settings.get("plex.owner_token")
    if owner_token:
        try:
            if machine_id in plextv().shared_server_ids(owner_token).get(account.id, set()):
                return False
        except PlexTvError as exc:
            log.warning("Could not read the owner's shared users (%s); asking the account", exc)
    if any(server.machine_id == machine_id for server in plextv().servers(token)):
        return False
    raise NotAllowed("not_shared", account)


def whom_to_ask() -> dict:
    """The server's Plex name and its owner, for a person who was refused."""
    owner = _owner()
    plex_name = None
    if owner is not None:
        plex_name = next(
            (i.display_name for i in owner.identities if i.provider == PLEX and i.display_name),
            None,
        )
    return {
        "server_name": settings.get("plex.server_name") or None,
        "owner_name": owner.username if owner else None,
        "owner_plex_name": plex_name if plex_name != getattr(owner, "username", None) else None,
    }


def _find_identity(account: PlexAccount) -> Identity | None:
    return db.session.scalars(
        select(Identity).where(
            Identity.provider == PLEX,
            Identity.issuer == PLEX_ISSUER,
            Identity.subject == str(account.id),
        )
    ).first()


def _new_user(account: PlexAccount) -> User:
    return User(
        username=free_username(account.username),
        role=settings.get("signup.default_role"),
        pending=settings.get("signup.approval_required"),
    )


def link_account(account: PlexAccount, user: User) -> None:
    """Attach a Plex account to an existing MediaNest user (the owner connecting Plex)."""
    identity = _find_identity(account)
    if identity is None:
        db.session.add(
            Identity(provider=PLEX, issuer=PLEX_ISSUER, subject=str(account.id), user=user)
        )
    elif identity.user_id != user.id:
        raise SignInProblem("This Plex account is already linked to another MediaNest account.")
    _refresh(user, account)
    db.session.commit()


def connect_owner(account: PlexAccount, token: str, owner: User) -> None:
    """Link the owner's Plex account and keep its token (encrypted) for server access."""
    link_account(account, owner)
    settings.put({"plex.owner_token": token, "plex.owner_account_id": str(account.id)}, actor=owner)


def user_for(account: PlexAccount, is_owner: bool) -> tuple[User, bool]:
    """The MediaNest user for this Plex account, created on first sign-in: (user, created)."""
    identity = _find_identity(account)
    created = identity is None
    if created:
        user = _owner() if is_owner else None
        user = user or _new_user(account)
        identity = Identity(provider=PLEX, issuer=PLEX_ISSUER, subject=str(account.id), user=user)
        db.session.add(identity)
    user = identity.user
    _refresh(user, account)
    identity.display_name = visible(account.username or "")[:255] or None
    identity.last_used_at = utcnow()
    db.session.commit()
    return user, created


def _owner() -> User | None:
    return db.session.scalars(select(User).where(User.is_owner.is_(True))).first()


def _refresh(user: User, account: PlexAccount) -> None:
    """Names, email and avatar follow Plex at every sign-in (the owner keeps their own name, and
    an address the person confirmed under Notifications stays)."""
    # Text from outside loses invisible characters (PostgreSQL refuses NUL outright).
    if not own_email_confirmed(user.id):
        user.email = visible(account.email or "")[:255] or None
    user.avatar_url = visible(account.thumb or "")[:500] or None
    if not user.is_owner and user.id is not None:
        user.username = free_username(account.username, keep_for=user)
