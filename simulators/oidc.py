"""A loopback OpenID Connect provider, like Authentik, Authelia or Keycloak in front of MediaNest.

The issuer is the address the simulator answers on plus ``path`` (``""`` for a Keycloak-like
issuer without a trailing slash, ``"/application/o/medianest/"`` for an Authentik-like one).
Under that issuer it serves:

- ``GET .well-known/openid-configuration``: the discovery document.
- ``GET jwks``: the public half of the RS256 key generated at start.
- ``GET authorize``: the sign-in page, one "Sign in as <user>" button per user and a Cancel button;
  with ``auto_login`` set it skips the page and redirects straight back (for tests without a
  browser), and with ``auto_error`` set it redirects back with that OAuth error.
- ``POST authorize``: what the page's buttons send.
- ``POST token``: the authorization code grant. Checks the client (``client_secret_basic``,
  ``client_secret_post``, or ``none`` for a public client), the code (single use, short-lived,
  issued to that client), the ``redirect_uri`` and the PKCE verifier (S256 is required).
- ``GET userinfo``: the user's claims for a Bearer access token.

Switches on ``OidcProvider`` for tests: ``wrong_issuer``, ``expired_token``, ``bad_signature``,
``missing_sub``, ``wrong_audience``, ``wrong_nonce`` (all about the ID token), ``token_error``
(the token endpoint answers that OAuth error), ``discovery_issuer`` (discovery names another
issuer), ``discovery_down`` (discovery answers 503) and ``claims_in_userinfo_only`` (the ID token
carries only the registered claims, as Authelia does by default).
"""

import base64
import hashlib
import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

from flask import Flask, Response, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

CODE_LIFETIME = 60
TOKEN_LIFETIME = 300
SCOPES = ("openid", "profile", "email", "groups")


@dataclass
class User:
    """A person at the provider; ``sub=None`` leaves the subject out of their ID token."""

    sub: str | None
    preferred_username: str | None = None
    email: str | None = None
    name: str | None = None
    groups: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def claims(self, scopes: set[str]) -> dict:
        claims = {}
        if "profile" in scopes:
            claims.update(preferred_username=self.preferred_username, name=self.name)
        if "email" in scopes and self.email:
            claims.update(email=self.email, email_verified=True)
        if scopes & {"profile", "groups"}:
            claims["groups"] = list(self.groups)
        claims.update(self.extra)
        return {key: value for key, value in claims.items() if value is not None}


@dataclass
class Client:
    client_id: str
    secret: str | None  # None: a public client, which proves itself with PKCE alone
    redirect_uris: list[str] | None = None  # None: any, as long as the token request repeats it


@dataclass
class Grant:
    client_id: str
    user: User
    redirect_uri: str
    scopes: set[str]
    nonce: str | None
    challenge: str
    expires: float


class OidcProvider:
    """The provider's state: clients, users, outstanding codes and tokens, and the switches."""

    def __init__(self, path: str = ""):
        self.path = path
        self.kid = secrets.token_hex(8)
        self.key = RSAKey.generate_key(2048, parameters={"kid": self.kid, "use": "sig"})
        self.clients: dict[str, Client] = {}
        self.users: dict[str, User] = {}
        self.auto_login: str | None = None
        self.auto_error: str | None = None
        self.wrong_issuer = False
        self.expired_token = False
        self.bad_signature = False
        self.missing_sub = False
        self.wrong_audience = False
        self.wrong_nonce = False
        self.token_error: str | None = None
        self.discovery_issuer: str | None = None
        self.discovery_down = False
        self.claims_in_userinfo_only = False
        self.codes: dict[str, Grant] = {}
        self.access_tokens: dict[str, tuple[User, set[str]]] = {}
        self.token_requests: list[dict] = []
        self.lock = threading.Lock()
        self._other_key: RSAKey | None = None

    def add_client(self, client_id: str, secret: str | None, redirect_uris=None) -> Client:
        client = Client(client_id, secret, list(redirect_uris) if redirect_uris else None)
        self.clients[client_id] = client
        return client

    def add_user(self, name: str, sub: str | None = None, **claims) -> User:
        user = User(sub=sub if sub is not None else f"sub-{name}", **claims)
        user.preferred_username = claims.get("preferred_username", name)
        self.users[name] = user
        return user

    def other_key(self) -> RSAKey:
        """A key the provider does not publish, under the published key's id."""
        if self._other_key is None:
            self._other_key = RSAKey.generate_key(2048, parameters={"kid": self.kid})
        return self._other_key

    def issue_code(self, grant: Grant) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = grant
        return code

    def redeem(self, code: str) -> Grant | None:
        with self.lock:
            grant = self.codes.pop(code, None)
        if grant is None or grant.expires < time.time():
            return None
        return grant


def create_app(provider: OidcProvider) -> Flask:
    """The provider's WSGI app."""
    app = Flask(__name__)
    prefix = provider.path.rstrip("/")

    def issuer() -> str:
        return request.host_url.rstrip("/") + provider.path

    def endpoint(name: str) -> str:
        return issuer().rstrip("/") + "/" + name

    @app.get(prefix + "/.well-known/openid-configuration")
    def discovery():
        if provider.discovery_down:
            return Response("Service Unavailable", 503, mimetype="text/plain")
        return jsonify(
            issuer=provider.discovery_issuer or issuer(),
            authorization_endpoint=endpoint("authorize"),
            token_endpoint=endpoint("token"),
            userinfo_endpoint=endpoint("userinfo"),
            jwks_uri=endpoint("jwks"),
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=list(SCOPES),
            token_endpoint_auth_methods_supported=[
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            code_challenge_methods_supported=["S256"],
            grant_types_supported=["authorization_code"],
            claims_supported=["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username"]
            + ["name", "email", "email_verified", "groups"],
        )

    @app.get(prefix + "/jwks")
    def jwks():
        return jsonify(keys=[provider.key.as_dict(private=False) | {"alg": "RS256"}])

    @app.route(prefix + "/authorize", methods=["GET", "POST"])
    def authorize():
        params = request.values
        client = provider.clients.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if client is None:
            return _page("Unknown client", "<p>This application is not registered here.</p>", 400)
        if not redirect_uri or (client.redirect_uris and redirect_uri not in client.redirect_uris):
            return _page("Wrong redirect URI", f"<p>{html.escape(redirect_uri)}</p>", 400)

        def back(**answer):
            answer = {k: v for k, v in answer.items() if v is not None}
            if params.get("state") is not None:
                answer["state"] = params["state"]
            separator = "&" if "?" in redirect_uri else "?"
            return redirect(redirect_uri + separator + urlencode(answer))

        scopes = set(params.get("scope", "").split())
        if params.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if "openid" not in scopes:
            return back(error="invalid_scope", error_description="openid is required")
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return back(error="invalid_request", error_description="PKCE with S256 is required")

        if request.method == "GET":
            if provider.auto_error:
                return back(error=provider.auto_error, error_description="Simulated refusal")
            if provider.auto_login is None:
                return _sign_in_page(provider, params)
            chosen = provider.auto_login
        elif "cancel" in request.form:
            return back(error="access_denied", error_description="The user cancelled")
        else:
            chosen = request.form.get("user", "")
        user = provider.users.get(chosen)
        if user is None:
            return _page("Unknown user", f"<p>No user {html.escape(chosen)}.</p>", 400)
        code = provider.issue_code(
            Grant(
                client_id=client.client_id,
                user=user,
                redirect_uri=redirect_uri,
                scopes=scopes,
                nonce=params.get("nonce"),
                challenge=params["code_challenge"],
                expires=time.time() + CODE_LIFETIME,
            )
        )
        return back(code=code)

    @app.post(prefix + "/token")
    def token():
        form = request.form
        provider.token_requests.append(
            {"form": dict(form), "basic": request.authorization is not None}
        )
        client, problem = _authenticate_client(provider)
        if problem:
            return problem
        if provider.token_error:
            return _oauth_error(provider.token_error, "Simulated token endpoint error")
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        grant = provider.redeem(form.get("code", ""))
        if grant is None or grant.client_id != client.client_id:
            return _oauth_error("invalid_grant", "Unknown, used or expired code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant", "redirect_uri differs from the authorization's")
        verifier = form.get("code_verifier", "")
        if not verifier or _s256(verifier) != grant.challenge:
            return _oauth_error("invalid_grant", "PKCE verification failed")
        access_token = secrets.token_urlsafe(32)
        with provider.lock:
            provider.access_tokens[access_token] = (grant.user, grant.scopes)
        return jsonify(
            access_token=access_token,
            token_type="Bearer",
            expires_in=TOKEN_LIFETIME,
            scope=" ".join(sorted(grant.scopes)),
            id_token=_id_token(provider, grant, client, access_token, issuer()),
        )

    @app.route(prefix + "/userinfo", methods=["GET", "POST"])
    def userinfo():
        header = request.headers.get("Authorization", "")
        found = provider.access_tokens.get(header.removeprefix("Bearer ").strip())
        if not header.startswith("Bearer ") or found is None:
            response = jsonify(error="invalid_token")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        user, scopes = found
        claims = user.claims(scopes)
        if user.sub is not None:
            claims["sub"] = user.sub
        return jsonify(claims)

    return app


def _authenticate_client(provider: OidcProvider):
    """(client, None) when the request proves which client it is, else (None, error response)."""
    form, basic = request.form, request.authorization
    if basic is not None and basic.type == "basic":
        client_id, secret = unquote(basic.username or ""), unquote(basic.password or "")
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
    client = provider.clients.get(client_id)
    if client is None:
        return None, _oauth_error("invalid_client", "Unknown client", 401)
    if client.secret is None:
        return client, None
    if not secret or not secrets.compare_digest(secret, client.secret):
        return None, _oauth_error("invalid_client", "Wrong client secret", 401)
    return client, None


def _id_token(provider, grant: Grant, client: Client, access_token: str, issuer: str) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://wrong-issuer.example/" if provider.wrong_issuer else issuer,
        "sub": grant.user.sub,
        "aud": "someone-else" if provider.wrong_audience else client.client_id,
        "iat": now - 3600 if provider.expired_token else now,
        "exp": now - 600 if provider.expired_token else now + TOKEN_LIFETIME,
        "auth_time": now,
        "at_hash": _half_hash(access_token),
    }
    if grant.nonce is not None:
        claims["nonce"] = "not-your-nonce" if provider.wrong_nonce else grant.nonce
    if provider.missing_sub or grant.user.sub is None:
        claims.pop("sub")
    if not provider.claims_in_userinfo_only:
        claims.update(grant.user.claims(grant.scopes))
    key = provider.other_key() if provider.bad_signature else provider.key
    return jwt.encode({"alg": "RS256", "kid": provider.kid, "typ": "JWT"}, claims, key)


def _oauth_error(error: str, description: str | None = None, status: int = 400):
    body = {"error": error}
    if description:
        body["error_description"] = description
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="token"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _half_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def _sign_in_page(provider: OidcProvider, params) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in params.items()
    )
    buttons = "".join(
        f'<button type="submit" name="user" value="{html.escape(name)}">'
        f"Sign in as {html.escape(name)}</button>"
        for name in provider.users
    )
    body = (
        f'<form method="post">{hidden}{buttons}'
        '<button type="submit" name="cancel" value="1">Cancel</button></form>'
    )
    return _page("Sign in to the identity provider", body)


def _page(title: str, body: str, status: int = 200) -> Response:
    document = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(document, status, mimetype="text/html")
