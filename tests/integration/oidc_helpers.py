"""A simulated OpenID Connect provider, and steps through its sign-in, for the SSO tests."""

from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, User
from simulators import SimulatorServer
from simulators.oidc import OidcProvider, create_app

CLIENT_ID = "medianest"
SECRET = "s3cret-value-4f9a2c"
CALLBACK = "http://localhost/login/oidc/callback"


class Idp:
    """A running provider: its state and its issuer URL."""

    def __init__(self, provider: OidcProvider, url: str):
        self.provider, self.url = provider, url
        self.issuer = url + provider.path


@pytest.fixture
def idp():
    provider = OidcProvider()
    provider.add_client(CLIENT_ID, SECRET, [CALLBACK])
    provider.add_user("alice", email="alice@example.com", groups=["friends"])
    provider.add_user("bob", email="bob@example.com", groups=["friends", "medianest-admins"])
    with SimulatorServer(create_app(provider)) as server:
        yield Idp(provider, server.url)


def configure(app, idp: Idp, **extra) -> None:
    values = {
        "oidc.enabled": True,
        "oidc.issuer": idp.issuer,
        "oidc.client_id": CLIENT_ID,
        "oidc.client_secret": SECRET,
        "oidc.label": "Sign in with Test SSO",
        **extra,
    }
    with app.app_context():
        settings.put(values)


@pytest.fixture
def owner(auth):
    return auth.owner()


@pytest.fixture
def sso(app, idp, owner):
    configure(app, idp)
    return idp


def start(client, next_url: str | None = None):
    url = "/login/oidc" + (f"?next={next_url}" if next_url else "")
    response = client.post_form(url, page="/login")
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def at_provider(idp: Idp, authorize_url: str, user: str = "alice") -> str:
    """Let the provider sign `user` in; return the callback address it sends the browser to."""
    idp.provider.auto_login = user
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def sign_in(client, idp: Idp, user: str = "alice", next_url: str | None = None):
    return client.get(local(at_provider(idp, start(client, next_url), user)))


def people(app) -> dict[str, User]:
    with app.app_context():
        return {u.username: u for u in db.session.scalars(select(User))}


def audit_events(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query))


def signed_in_as(client) -> str | None:
    response = client.get("/")
    if response.status_code != 200:
        return None
    return response.text
