"""A person's own email address: asked for, confirmed by a link, removed."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import NotifyProfile, User
from app.models.base import utcnow
from app.notify import links
from app.notify.outbox import emit

MAX_ADDRESS = 254
TOKEN_HOURS = 48
RESEND_SECONDS = 60  # one confirmation email a minute at most: the link box is not a mail cannon
# Characters that could split a header, add a recipient or quote a display name.
FORBIDDEN = set(" \t\r\n,;:<>()[]\\\"'")


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str


def address_problem(address: str) -> str | None:
    """Why this is not an address we can send to, in plain words; None when it is one."""
    if not address:
        return "Enter an email address."
    if len(address) > MAX_ADDRESS:
        return f"An email address has at most {MAX_ADDRESS} characters."
    if any(c in FORBIDDEN or not c.isprintable() for c in address):
        return "An email address has no spaces, line breaks, commas or brackets."
    local, at, domain = address.partition("@")
    if not at or "@" in domain or not local or not domain:
        return "An email address has one @ with a name before it and a domain after it."
    if "." not in domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return "The part after the @ should be a domain, like example.com."
    return None


def clean_address(raw) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def editable_profile(user_id: int) -> NotifyProfile:
    """The person's profile row, added to the session so changes to it are saved."""
    found = db.session.get(NotifyProfile, user_id)
    if found is None:
        found = NotifyProfile(user_id=user_id, timezone="UTC", newsletter="off", digest_hour=8)
        db.session.add(found)
    return found


def confirmed_address(user: User) -> str | None:
    """The address messages go to: one confirmed by a link here, or the one Plex or the
    sign-on provider gave (they confirmed it), as the delivery jobs read it."""
    return user.email or None


def ask_for(user: User, raw) -> Result:
    """Keep the address as pending and send it a confirmation link."""
    address = clean_address(raw)
    problem = address_problem(address)
    if problem:
        return Result(False, problem)
    profile = editable_profile(user.id)
    if confirmed_address(user) == address:
        return Result(False, f"{address} is already your confirmed address.")
    return _send_link(user, profile, address)


def resend(user: User) -> Result:
    profile = editable_profile(user.id)
    if not profile.email_pending:
        return Result(False, "There is no address waiting to be confirmed.")
    return _send_link(user, profile, profile.email_pending)


def _send_link(user: User, profile: NotifyProfile, address: str) -> Result:
    now = utcnow()
    if profile.email_token_at and now - profile.email_token_at < timedelta(seconds=RESEND_SECONDS):
        db.session.rollback()
        return Result(False, "We sent a link less than a minute ago. Wait a minute and try again.")
    token = secrets.token_urlsafe(32)
    profile.email_pending, profile.email_token_hash = address, token_hash(token)
    profile.email_token_at = now
    link = links.absolute(url_for("notify.account_verify", token=token))
    text = (
        f"Open this link to confirm {address} as your address for MediaNest messages:\n\n"
        f"{link}\n\nIt works for {TOKEN_HOURS} hours, while you are signed in as "
        f"{user.username}. If you did not ask for this, ignore this message."
    )
    # The bell gets no link: confirming from inside MediaNest would prove nothing about the inbox.
    emit(
        "account.notice",
        "Confirm your email address",
        f"We sent a confirmation link to {address}. Open it from your email.",
        user_ids=[user.id],
        link=url_for("notify.account"),
        data={"to": address, "verify": True, "link": link, "text": text},
        commit=False,
    )
    audit.record("notify.email_asked", actor=user, target=user.username, commit=False)
    db.session.commit()
    return Result(True, f"We sent a link to {address}. Open it to confirm the address.")


def verify(user: User, token: str) -> tuple[int, str]:
    """Confirm the pending address the token was sent for: (HTTP status, what to tell them)."""
    if not token or len(token) > 100:
        return 404, "This link is not one we sent, or a newer one replaced it."
    found = db.session.scalar(
        select(NotifyProfile).where(NotifyProfile.email_token_hash == token_hash(token))
    )
    if found is None or not found.email_pending:
        return 404, "This link is not one we sent, or a newer one replaced it."
    if found.user_id != user.id:
        return 403, (
            "This link confirms an address for another account. Sign out, sign in as the "
            "person who asked for it, and open the link again."
        )
    if utcnow() - found.email_token_at > timedelta(hours=TOKEN_HOURS):
        return 410, (
            f"This link has expired (links work for {TOKEN_HOURS} hours). "
            "Send a new one from your notification settings."
        )
    address = found.email_pending
    user.email, found.email_verified_at = address, utcnow()
    found.email_pending = found.email_token_hash = found.email_token_at = None
    audit.record("notify.email_confirmed", actor=user, target=user.username, commit=False)
    db.session.commit()
    return 200, f"{address} is confirmed. Messages you chose by email go there now."


def remove(user: User) -> Result:
    """Forget the confirmed address and any pending one."""
    profile = editable_profile(user.id)
    had = user.email or profile.email_pending
    user.email = None
    profile.email_verified_at = None
    profile.email_pending = profile.email_token_hash = profile.email_token_at = None
    if had:
        audit.record("notify.email_removed", actor=user, target=user.username, commit=False)
    db.session.commit()
    return Result(True, "Your email address is removed." if had else "There was no address.")
