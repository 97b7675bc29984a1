"""The access classes of the matrix, what each role should meet in each, and how one is judged.

A class says who may use an endpoint; `Access` adds what the request needs (URL values from the
world, a form, headers) and what an allowed answer looks like when it is not the usual one.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.security.world import ADA, ADMIN, ALICE, BOB

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, BOB, ALICE, ADA, ADMIN)
ADMINS = (ADA, ADMIN)

PUBLIC = "public"  # anyone, signed in or not
ANONYMOUS_ONLY = "anonymous-only"  # sign-in and sign-up pages: a signed-in person is sent on
SETUP = "setup"  # only until an owner exists; after that everyone is sent on
SIGNED_IN = "signed-in"  # any person signed in
OWN = "own"  # the person's own thing: another person gets a 404, an admin may
OWN_ONLY = "own-only"  # the person's own thing, and nobody else's, admins included: 404
ADMIN_ONLY = "admin"  # admins; persons get 403
OWNER_ONLY = "owner"  # the server's owner; persons and other admins get 403
SECRET = "secret"  # machines: a secret in the address or a header, whoever sends it
SOCKET = "socket"  # the WebSocket: signed in, else closed (tested over a real socket)
CLASSES = (
    PUBLIC,
    ANONYMOUS_ONLY,
    SETUP,
    SIGNED_IN,
    OWN,
    OWN_ONLY,
    ADMIN_ONLY,
    OWNER_ONLY,
    SECRET,
    SOCKET,
)

# How an allowed request may answer, by method, unless the entry says otherwise.
OK_GET = (200,)
OK_ACTION = (200, 201, 202, 204, 302, 303, 400, 409, 422)
REFUSED = (401, 403, 404)
CSRF_REFUSED = b"This form has expired or was sent from another site"

ALLOW, SIGN_IN, FORBIDDEN, NOT_FOUND, SENT_ON = "allow", "sign-in", "403", "404", "sent on"


class Lit(str):
    """A URL value used as it is, not looked up in the world."""


MISSING = Lit("missing")  # names nothing: whoever may ask gets a 404


@dataclass(frozen=True)
class Access:
    cls: str
    args: dict = field(default_factory=dict)  # URL argument -> world name or Lit
    query: dict = field(default_factory=dict)  # query argument -> world name or Lit
    data: dict = field(default_factory=dict)  # form fields (world names are not looked up)
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    ok: tuple | None = None  # what an allowed request answers, when not the usual
    hx: bool = False  # an htmx fragment: asked with HX-Request, as the page asks
    signs_out: bool = False  # allowed, and the answer is the sign-in page (sign-out)
    secret: str | None = None  # the URL argument that is a secret: a wrong one is refused
    secret_headers: dict = field(default_factory=dict)  # headers that carry the secret
    admin_without_secret: bool = False  # an admin session is enough (metrics)
    other: str = NOT_FOUND  # what another person (and, for OWN_ONLY, the admin) gets


DEFAULT_ARGS = {
    "download_id": "download_id",
    "item_id": "item_id",
    "sub_id": "sub_id",
    "request_id": "request_id",
    "notification_id": "notification_id",
    "target_id": "target_id",
    "session_id": "session_id",
    "invitation_id": "invitation_id",
    "channel_id": "channel_id",
    "delivery_id": "delivery_id",
    "section_id": "section_id",
    "section_key": "section_key",
    "rating_key": "rating_key",
    "user_id": "alice_id",
    "tmdb_id": "tmdb_id",
    "key": "upload_key",
}


def expected(access: Access, role: str) -> str:
    """What this role should meet at an endpoint of this class."""
    cls = access.cls
    if cls in (PUBLIC, SECRET):
        return ALLOW
    if cls == ANONYMOUS_ONLY:
        return ALLOW if role == ANONYMOUS else SENT_ON
    if cls == SETUP:
        return SIGN_IN if role == ANONYMOUS else SENT_ON
    if role == ANONYMOUS:
        return SIGN_IN
    if cls == SIGNED_IN:
        return ALLOW
    if cls == OWN:
        return access.other if role == BOB else ALLOW
    if cls == OWN_ONLY:
        return ALLOW if role == ALICE else access.other
    if cls == ADMIN_ONLY:
        return ALLOW if role in ADMINS else FORBIDDEN
    if cls == OWNER_ONLY:
        return ALLOW if role == ADMIN else FORBIDDEN
    raise AssertionError(f"no HTTP expectations for {cls}")


def order(access: Access) -> list[str]:
    """The roles in the order they ask: those to be refused before those allowed, so nothing
    an allowed role changes (a delete, a used link) can make a refusal pass."""
    return sorted(ROLES, key=lambda role: expected(access, role) == ALLOW)


def to_sign_in(response) -> bool:
    return response.status_code in (302, 303) and urlsplit(
        response.headers.get("Location", "")
    ).path.endswith("/login")


def problem(access: Access, method: str, outcome: str, response, missing: bool) -> str | None:
    """Why this answer is wrong for what was expected, or None when it is right."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status == 400 and CSRF_REFUSED in response.get_data():
        return "the form token was refused: the request never reached the view"
    if outcome == ALLOW and missing:
        outcome = NOT_FOUND  # allowed, but there is nothing at that id
    if outcome == ALLOW:
        if to_sign_in(response) and not access.signs_out:
            return "sent to sign in, though allowed"
        if access.ok and status in access.ok:
            return None
        if status in (401, 403, 404):
            return f"refused ({status}), though allowed"
        ok = access.ok or (OK_GET if method in ("GET", "HEAD") else OK_ACTION)
        if status not in ok:
            return f"answered {status}, expected one of {ok}"
        return None
    if outcome == SIGN_IN:
        if to_sign_in(response) or status in (401, 403):
            return None
        return f"answered {status}, expected a refusal or the sign-in page"
    if outcome == FORBIDDEN:
        return None if status in (401, 403) else f"answered {status}, expected 403"
    if outcome == NOT_FOUND:
        return None if status == 404 else f"answered {status}, expected 404"
    if outcome == SENT_ON:
        moved = status in (302, 303) and not to_sign_in(response)
        return None if moved or status == 409 else f"answered {status}, expected to be sent on"
    raise AssertionError(outcome)


def refusal_problem(response) -> str | None:
    """A request with a wrong secret: refused, whoever sends it."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in REFUSED or to_sign_in(response):
        return None
    return f"answered {status} to a wrong secret"
