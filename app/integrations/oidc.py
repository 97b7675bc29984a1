"""An OpenID Connect provider: discovery, the authorization request, code exchange, ID token.

Built fresh from the stored settings for each sign-in, so a change on the admin page applies to the
next sign-in in every process, with no client registered once at start-up.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read
DISCOVERY_TIMEOUT = (3.05, 5)
DISCOVERY_PATH = "/.well-known/openid-configuration"
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
# Plain http is only for a provider on this same machine (tests, a provider next to MediaNest).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# ID tokens must carry a signature the provider's published keys can check: no "none", no HMAC.
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated on exp and iat


class OidcError(Exception):
    """The provider did not give a usable answer; the message is for people, the reason for logs."""

    def __init__(self, message: str, reason: str = "provider"):
        super().__init__(message)
        self.reason = reason


def url_problem(url: str, what: str = "The issuer URL") -> str | None:
    """Why this address cannot be used for the provider, or None when it can."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return f"{what} is not a valid address."
    if parts.scheme not in ("https", "http") or not host:
        return f"{what} must be a full address starting with https://."
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        return f"{what} must use https:// (plain http:// only for localhost or 127.0.0.1)."
    if parts.query or parts.fragment:
        return f"{what} cannot contain ? or #."
    return None


def same_issuer(a: str, b: str) -> bool:
    """Whether two issuer URLs name the same provider, ignoring a trailing slash."""
    return a.rstrip("/") == b.rstrip("/")


@dataclass(frozen=True)
class Provider:
    """What discovery says about a provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    scopes_supported: tuple[str, ...] | None = None
    token_auth_methods: tuple[str, ...] | None = None
    signing_algorithms: tuple[str, ...] = ("RS256",)


def _string_list(value) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(item for item in value if isinstance(item, str))


def discover(issuer: str, timeout=DISCOVERY_TIMEOUT) -> Provider:
    """Read and check the provider's discovery document."""
    problem = url_problem(issuer)
    if problem:
        raise OidcError(problem, "bad_issuer_url")
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        response = requests.get(
            url, timeout=timeout, allow_redirects=False, headers={"Accept": "application/json"}
        )
    except requests.Timeout:
        raise OidcError(f"{url} did not answer in time.", "discovery_unreachable") from None
    except requests.RequestException:
        raise OidcError(
            f"Could not reach {url}. Check the address and that MediaNest can reach it.",
            "discovery_unreachable",
        ) from None
    if response.status_code != 200:
        raise OidcError(
            f"{url} answered HTTP {response.status_code} instead of the provider's settings. "
            "Check the issuer URL.",
            "discovery_failed",
        )
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise OidcError(f"{url} is not an OpenID Connect discovery document.", "discovery_failed")
    missing = [key for key in REQUIRED_METADATA if not isinstance(document.get(key), str)]
    if missing:
        raise OidcError(
            f"The provider's discovery document lacks {', '.join(missing)}.", "discovery_failed"
        )
    if not same_issuer(document["issuer"], issuer):
        raise OidcError(
            f"The provider calls itself {document['issuer']}, not {issuer}. "
            "Enter the issuer URL exactly as the provider shows it.",
            "issuer_mismatch",
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        problem = url_problem(document[key], f"The provider's {key}")
        if problem:
            raise OidcError(problem, "discovery_failed")
    pkce = _string_list(document.get("code_challenge_methods_supported"))
    if pkce is not None and "S256" not in pkce:
        raise OidcError("The provider does not support PKCE with S256.", "discovery_failed")
    offered = _string_list(document.get("id_token_signing_alg_values_supported"))
    algorithms = tuple(a for a in offered if a in SIGNING_ALGORITHMS) if offered else ("RS256",)
    if not algorithms:
        raise OidcError(
            "The provider signs ID tokens only with "
            f"{', '.join(offered)}. Give it an RSA or EC signing key.",
            "discovery_failed",
        )
    userinfo = document.get("userinfo_endpoint")
    return Provider(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        userinfo_endpoint=userinfo if isinstance(userinfo, str) and userinfo else None,
        scopes_supported=_string_list(document.get("scopes_supported")),
        token_auth_methods=_string_list(document.get("token_endpoint_auth_methods_supported")),
        signing_algorithms=algorithms,
    )


class Client:
    """This MediaNest as a relying party of one provider, for one sign-in."""

    def __init__(self, provider: Provider, client_id: str, client_secret: str, redirect_uri: str):
        self.provider = provider
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri

    def scope(self) -> str:
        """openid, plus profile, email and groups where the provider offers them."""
        offered = self.provider.scopes_supported
        wanted = ["openid", "profile", "email"] if offered is None else ["openid"]
        if offered is not None:
            wanted += [s for s in ("profile", "email", "groups") if s in offered]
        return " ".join(wanted)

    def _auth_method(self) -> str:
        methods = self.provider.token_auth_methods
        if not self.client_secret:
            return "none"
        if methods and "client_secret_basic" not in methods and "client_secret_post" in methods:
            return "client_secret_post"
        return "client_secret_basic"

    def _session(self) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.client_id,
            client_secret=self.client_secret or None,
            scope=self.scope(),
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=self._auth_method(),
        )

    def authorization_url(self, state: str, nonce: str, code_verifier: str) -> str:
        """Where to send the browser: a code request with PKCE (S256), state and nonce."""
        with self._session() as session:
            url, _ = session.create_authorization_url(
                self.provider.authorization_endpoint,
                state=state,
                code_verifier=code_verifier,
                nonce=nonce,
            )
        return url

    def exchange(self, code: str, code_verifier: str) -> dict:
        """Trade the code for tokens at the token endpoint."""
        try:
            with self._session() as session:
                token = session.fetch_token(
                    self.provider.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    timeout=TIMEOUT,
                )
        except OAuthError as exc:
            log.warning("OIDC token endpoint refused the code: %s %s", exc.error, exc.description)
            hint = {
                "invalid_client": " Check the client ID and secret on the admin page.",
                "invalid_grant": " The sign-in may have expired; start again.",
            }.get(exc.error, "")
            raise OidcError(
                f"The provider would not complete the sign-in ({exc.error}).{hint}",
                "token_exchange",
            ) from None
        except (requests.RequestException, ValueError) as exc:
            log.warning("OIDC token endpoint failed: %s", exc)
            raise OidcError(
                "The provider did not answer the token request properly. Try again shortly.",
                "token_exchange",
            ) from None
        return dict(token)

    def _keys(self) -> KeySet:
        try:
            response = requests.get(self.provider.jwks_uri, timeout=TIMEOUT)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
        except (requests.RequestException, ValueError, JoseError) as exc:
            log.warning("Could not read the OIDC provider's keys: %s", exc)
            raise OidcError("Could not read the provider's signing keys.", "jwks") from None

    def id_token_claims(self, token: dict, nonce: str) -> dict:
        """The ID token's claims once signature, issuer, audience, expiry and nonce check out."""
        raw = token.get("id_token")
        if not isinstance(raw, str) or not raw:
            raise OidcError(
                "The provider sent no ID token. Check that this client may use the openid scope.",
                "no_id_token",
            )
        try:
            decoded = jwt.decode(
                raw, self._keys(), algorithms=list(self.provider.signing_algorithms)
            )
        except (BadSignatureError, InvalidKeyIdError):
            raise OidcError(
                "The ID token's signature does not match the provider's published keys.",
                "bad_signature",
            ) from None
        except (JoseError, ValueError) as exc:
            log.warning("Unreadable OIDC ID token: %s", exc)
            raise OidcError(
                "The provider's ID token could not be read.", "invalid_id_token"
            ) from None
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": self.provider.issuer},
                "aud": {"essential": True, "value": self.client_id},
                "sub": {"essential": True},
            },
            params={
                "nonce": nonce,
                "client_id": self.client_id,
                "access_token": token.get("access_token"),
            },
        )
        try:
            claims.validate(leeway=CLOCK_LEEWAY)
        except ExpiredTokenError:
            raise OidcError(
                "The ID token has expired. Check that this server's clock is right and try again.",
                "expired",
            ) from None
        except MissingClaimError as exc:
            missing = exc.claim
            if "sub" in missing.split(","):
                raise OidcError(
                    "The provider's ID token does not say who you are (it has no subject).",
                    "missing_sub",
                ) from None
            raise OidcError(
                f"The ID token lacks a required claim ({missing}).", "missing_claim"
            ) from None
        except InvalidClaimError as exc:
            raise _claim_problem(exc) from None
        except JoseError as exc:
            raise OidcError(f"The ID token is not valid ({exc}).", "invalid_id_token") from None
        return dict(claims)

    def userinfo(self, access_token: str | None, subject: str) -> dict:
        """Extra claims from the userinfo endpoint; empty when there is none or it fails."""
        endpoint = self.provider.userinfo_endpoint
        if not endpoint or not access_token:
            return {}
        try:
            response = requests.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
                timeout=TIMEOUT,
            )
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("OIDC userinfo failed, using the ID token's claims only: %s", exc)
            return {}
        if not isinstance(data, dict) or data.get("sub") != subject:
            # OpenID Connect Core 5.3.2: a response about another subject must not be used.
            log.warning("OIDC userinfo answered for another subject; ignoring it")
            return {}
        return data


_CLAIM_PROBLEMS = {
    "iss": (
        "The ID token was issued by someone other than the configured provider.",
        "wrong_issuer",
    ),
    "aud": ("The ID token was issued for another application.", "wrong_audience"),
    "azp": ("The ID token was issued for another application.", "wrong_audience"),
    "nonce": ("The ID token does not belong to this sign-in (nonce mismatch).", "nonce_mismatch"),
    "at_hash": ("The ID token does not match its access token.", "invalid_id_token"),
}


def _claim_problem(exc: InvalidClaimError) -> OidcError:
    message, reason = _CLAIM_PROBLEMS.get(
        exc.claim, (f"The ID token's {exc.claim} claim is not valid.", "invalid_id_token")
    )
    return OidcError(message, reason)
