"""Signed-in sessions: begun by every kind of sign-in, checked on each request, ended one or all.

The cookie names a session row; ending a session deletes its row, so a copied cookie stops working
at once (sign-out, "sign out everywhere", password change, disable), on every web process.
"""

from datetime import timedelta

from flask import request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import User, UserSession
from app.models.base import utcnow
from app.models.sessions import hash_session_key, new_session_key
from app.realtime.events import publish

# A session unused for this long ends: "keep me signed in" lasts as long as its cookie does.
IDLE_LIMIT = {True: timedelta(days=30), False: timedelta(hours=24)}
# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=5)
MAX_ID_DIGITS = 18


def sign_in(user: User, *, method: str, remember: bool = False) -> UserSession:
    """Start a session for this browser and sign the person in; commits."""
    forget_expired(user.id)
    key = new_session_key()
    row = UserSession(
        user_id=user.id,
        key_hash=hash_session_key(key),
        method=method,
        persistent=remember,
        ip=(request.remote_addr or "")[:64] or None,
        user_agent=(request.user_agent.string or "")[:255] or None,
    )
    user.last_login_at = utcnow()
    db.session.add(row)
    db.session.commit()
    user.session_id, user.session_key = row.id, key
    # "Keep me signed in" makes the one session cookie last; no second cookie to secure.
    session.permanent = remember
    session.pop("csrf_token", None)  # a form token from before sign-in is not valid after it
    login_user(user)
    return row


def load(cookie_id: str) -> User | None:
    """The active person whose live session this cookie names, or None."""
    user_id, _, key = (cookie_id or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= MAX_ID_DIGITS and key):
        return None
    # The person comes in the same query: every signed-in request reads both.
    row = db.session.scalars(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.key_hash == hash_session_key(key))
    ).first()
    if row is None or row.user_id != int(user_id):
        return None
    now = utcnow()
    if now - row.last_seen_at > IDLE_LIMIT[row.persistent]:
        db.session.delete(row)
        db.session.commit()
        return None
    user = row.user
    if not user.is_active:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.session_id, user.session_key = row.id, key
    return user


def sign_out(user: User) -> None:
    """End this browser's session on the server, not only in the cookie."""
    if user.session_id is not None:
        end_sessions(user.id, only=[user.session_id])
    logout_user()
    session.pop("csrf_token", None)


def end_sessions(user_id: int, *, only=None, keep: int | None = None) -> int:
    """End some (`only`) or all (but `keep`) of a person's sessions and close their sockets.

    Commits; returns how many ended.
    """
    query = select(UserSession.id).where(UserSession.user_id == user_id)
    if only is not None:
        query = query.where(UserSession.id.in_(list(only)))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(delete(UserSession).where(UserSession.id.in_(ids)))
    db.session.commit()
    if ids:
        publish({"type": "session.ended", "sessions": ids}, user_ids=[user_id])
    return len(ids)


def access_changed(user_id: int) -> None:
    """Make the person's open sockets reconnect, so they hear only what their new role may hear."""
    publish({"type": "access.changed"}, user_ids=[user_id])


def forget_expired(user_id: int) -> None:
    """Drop the person's sessions that have been idle past their limit (no commit)."""
    now = utcnow()
    for persistent, limit in IDLE_LIMIT.items():
        db.session.execute(
            delete(UserSession).where(
                UserSession.user_id == user_id,
                UserSession.persistent.is_(persistent),
                UserSession.last_seen_at < now - limit,
            )
        )


def sessions_of(user_id: int) -> list[UserSession]:
    """The person's live sessions, most recently used first."""
    forget_expired(user_id)
    db.session.commit()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )
