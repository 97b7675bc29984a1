"""Signing in with an OpenID Connect provider: the code flow and the account it maps to."""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from flask import session, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit, settings
from app.auth.services import free_username
from app.auth.usernames import visible
from app.extensions import db, redis_conn
from app.integrations.oidc import Client, OidcError, discover, same_issuer
from app.models import Identity, User
from app.models.base import utcnow
from app.models.identities import OIDC
from app.models.users import ROLE_ADMIN
from app.notify.prefs import own_email_confirmed

log = logging.getLogger(__name__)

FLOWS_SESSION_KEY = "oidc_flows"
FLOW_MAX_AGE = 10 * 60
# Sign-ins started in other tabs of the same browser that may still come back.
MAX_OPEN_FLOWS = 3


class SignInProblem(Exception):
    """The sign-in cannot finish; the message says why, the reason goes to the audit log."""

    def __init__(self, message: str, reason: str, status: int = 400):
        super().__init__(message)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    admin_claim: str
    admin_value: str


def config() -> Config | None:
    """The provider settings as stored now, or None while sign-in with OIDC is off."""
    values = settings.get_many("oidc.")
    if not (values["oidc.enabled"] and values["oidc.issuer"] and values["oidc.client_id"]):
        return None
    return Config(
        issuer=values["oidc.issuer"],
        client_id=values["oidc.client_id"],
        client_secret=values["oidc.client_secret"],
        admin_claim=values["oidc.admin_claim"].strip(),
        admin_value=values["oidc.admin_value"].strip(),
    )


def label() -> str | None:
    """The sign-in button's text, or None while sign-in with OIDC is off."""
    return (settings.get("oidc.label") or "Single sign-on") if config() else None


def _client(cfg: Config) -> Client:
    try:
        provider = discover(cfg.issuer)
    except OidcError as exc:
        raise SignInProblem(str(exc), exc.reason, 502) from None
    if not same_issuer(provider.issuer, cfg.issuer):
        raise SignInProblem("The provider's issuer changed. Ask an admin to check it.", "issuer")
    redirect_uri = url_for("auth.oidc_callback", _external=True)
    return Client(provider, cfg.client_id, cfg.client_secret, redirect_uri)


def start(next_url: str | None = None) -> str:
    """Remember a new state, nonce and PKCE verifier for this browser; return the provider's URL."""
    cfg = config()
    if cfg is None:
        raise SignInProblem("Single sign-on is not switched on here.", "disabled", 404)
    client = _client(cfg)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, within PKCE's 43 to 128
    now = time.time()
    flows = _open_flows(now)
    flows = dict(sorted(flows.items(), key=lambda item: item[1]["at"])[-(MAX_OPEN_FLOWS - 1) :])
    flows[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "issuer": cfg.issuer,
        "at": now,
    }
    session[FLOWS_SESSION_KEY] = flows
    return client.authorization_url(state, nonce, verifier)


def _open_flows(now: float) -> dict:
    flows = session.get(FLOWS_SESSION_KEY)
    if not isinstance(flows, dict):
        return {}
    return {
        state: flow
        for state, flow in flows.items()
        if isinstance(flow, dict) and now - flow.get("at", 0) <= FLOW_MAX_AGE
    }


def _take_flow(state: str | None) -> dict | None:
    """This browser's flow for `state`, removed so that it cannot be used again."""
    flows = _open_flows(time.time())
    flow = flows.pop(state, None) if state else None
    if flows:
        session[FLOWS_SESSION_KEY] = flows
    else:
        session.pop(FLOWS_SESSION_KEY, None)
    return flow


def finish(args) -> tuple[dict, str | None]:
    """Check the provider's answer and its tokens: (claims, next). Each state works once."""
    flow = _take_flow(args.get("state"))
    if args.get("error"):
        detail = args.get("error_description") or args["error"]
        raise SignInProblem(
            f"The sign-in provider did not sign you in: {detail[:200]}",
            "provider_error",
        )
    if flow is None:
        raise SignInProblem(
            "This sign-in has expired or was started in another browser. Please start again.",
            "state_mismatch",
        )
    # The session cookie lives in the browser, so an old copy could bring a used state back.
    state_key = hashlib.sha256(args["state"].encode()).hexdigest()
    if not redis_conn().set(f"medianest:oidc-state-used:{state_key}", 1, nx=True, ex=3600):
        raise SignInProblem("This sign-in was already used. Please start again.", "state_reused")
    code = args.get("code")
    if not code:
        raise SignInProblem("The provider sent no sign-in code. Please start again.", "no_code")
    cfg = config()
    if cfg is None or cfg.issuer != flow["issuer"]:
        raise SignInProblem(
            "Single sign-on settings changed during this sign-in. Please start again.",
            "settings_changed",
        )
    client = _client(cfg)
    try:
        token = client.exchange(code, flow["verifier"])
        claims = client.id_token_claims(token, flow["nonce"])
    except OidcError as exc:
        raise SignInProblem(str(exc), exc.reason) from None
    extra = client.userinfo(token.get("access_token"), claims["sub"])
    # Userinfo may be fresher on profile claims; who this is comes from the checked ID token.
    return {**claims, **extra, "iss": claims["iss"], "sub": claims["sub"]}, flow.get("next")


def has_admin_claim(claims: dict, cfg: Config) -> bool:
    """Whether the admin claim is there: a string equal to the value, or a list holding it."""
    if not (cfg.admin_claim and cfg.admin_value):
        return False
    value = claims.get(cfg.admin_claim)
    if value is None and "." in cfg.admin_claim:  # nested, as Keycloak's realm_access.roles
        value = claims
        for part in cfg.admin_claim.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return value == cfg.admin_value
    if isinstance(value, list):
        return cfg.admin_value in value
    return False


def _wanted_username(claims: dict) -> str:
    preferred = claims.get("preferred_username")
    if isinstance(preferred, str) and preferred.strip():
        return preferred.strip()
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and email.split("@", 1)[0].strip():
        return email.split("@", 1)[0].strip()
    return "user"


def _find_identity(issuer: str, subject: str) -> Identity | None:
    return db.session.scalars(
        select(Identity).where(
            Identity.provider == OIDC, Identity.issuer == issuer, Identity.subject == subject
        )
    ).first()


def user_for(claims: dict) -> tuple[User, bool]:
    """The MediaNest user for this issuer and subject, created on first sign-in: (user, created)."""
    cfg = config()
    issuer, subject = claims["iss"], str(claims["sub"])
    for attempt in range(2):
        identity = _find_identity(issuer, subject)
        created = identity is None
        if created:
            user = User(
                username=free_username(_wanted_username(claims)),
                role=settings.get("signup.default_role"),
                pending=settings.get("signup.approval_required"),
            )
            identity = Identity(provider=OIDC, issuer=issuer, subject=subject, user=user)
            db.session.add(identity)
        _refresh(identity, claims, cfg, created)
        try:
            db.session.commit()
        except IntegrityError:  # the same person's other tab, or a username, got there first
            db.session.rollback()
            if attempt:
                raise
            continue
        return identity.user, created
    raise AssertionError("unreachable")


def _refresh(identity: Identity, claims: dict, cfg: Config | None, created: bool) -> None:
    """Email and display name follow the provider; its admin claim promotes, never demotes."""
    user = identity.user
    email = claims.get("email")
    if isinstance(email, str) and email.strip() and not own_email_confirmed(user.id):
        user.email = visible(email.strip())[:255]
    name = claims.get("preferred_username") or claims.get("name") or claims.get("email")
    identity.display_name = visible(str(name))[:255] if name else None
    identity.last_used_at = utcnow()
    if cfg is not None and has_admin_claim(claims, cfg) and user.role != ROLE_ADMIN:
        if not created:
            audit.record(
                "user.role_changed",
                target=user.username,
                details={"old": user.role, "new": ROLE_ADMIN, "by": "oidc admin claim"},
                commit=False,
            )
        user.role = ROLE_ADMIN
