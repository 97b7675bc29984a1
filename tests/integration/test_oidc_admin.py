"""The single sign-on admin page: who may open it, checking the provider, keeping the secret."""

import json
import socket

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, Setting
from simulators import SimulatorServer
from simulators.oidc import OidcProvider, create_app
from tests.integration import oidc_helpers
from tests.integration.oidc_helpers import (
    CALLBACK,
    CLIENT_ID,
    SECRET,
    Idp,
    audit_events,
    people,
    sign_in,
)

idp, owner = oidc_helpers.idp, oidc_helpers.owner  # the provider's fixtures


# The admin page


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("user", 403), ("admin", 200)])
def test_who_may_open_the_page(client, auth, owner, who, status):
    if who == "user":
        auth.create("friend")
        auth.login("friend")
    elif who == "admin":
        auth.login()
    response = client.get("/admin/oidc")
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("user", 403)])
def test_who_may_not_save(app, client, auth, owner, idp, who, status):
    if who == "user":
        auth.create("friend")
        auth.login("friend")
    response = client.post_form("/admin/oidc", form(idp), page="/login")
    assert response.status_code == status
    with app.app_context():
        assert settings.get("oidc.enabled") is False


def form(idp: Idp, **changes) -> dict:
    data = {
        "enabled": "1",
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "admin_claim": "groups",
        "admin_value": "medianest-admins",
        "label": "Sign in with Authentik",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admin(client, auth, owner):
    auth.login()
    return client


def test_the_page_shows_the_redirect_uri_to_register(admin):
    text = admin.get("/admin/oidc").text
    assert CALLBACK in text
    assert "Single sign-on" in text and 'aria-current="page"' in text
    assert "only ever promotes" in text and "localhost or 127.0.0.1" in text


def test_saving_checks_the_provider_and_switches_sign_in_on(app, admin, idp):
    response = admin.post_form("/admin/oidc", form(idp), page="/admin/oidc")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/oidc"
    with app.app_context():
        stored = settings.get_many("oidc.")
    assert stored["oidc.enabled"] and stored["oidc.issuer"] == idp.issuer
    assert stored["oidc.client_secret"] == SECRET
    assert stored["oidc.admin_value"] == "medianest-admins"
    page = admin.get("/admin/oidc").text
    assert "Saved." in page and "badge-ok" in page
    admin.post_form("/logout", page="/")
    assert "Sign in with Authentik" in admin.get("/login").text
    assert sign_in(admin, idp, "bob").status_code == 302
    assert people(app)["bob"].role == "admin"


def test_the_issuer_is_stored_as_the_provider_spells_it(app, admin):
    provider = OidcProvider(path="/application/o/medianest/")
    provider.add_client(CLIENT_ID, SECRET, [CALLBACK])
    provider.add_user("alice")
    with SimulatorServer(create_app(provider)) as server:
        idp = Idp(provider, server.url)
        entered = idp.issuer.rstrip("/")
        response = admin.post_form("/admin/oidc", form(idp, issuer=entered), page="/admin/oidc")
        assert response.status_code == 302
        with app.app_context():
            assert settings.get("oidc.issuer") == idp.issuer and idp.issuer.endswith("/")
        admin.post_form("/logout", page="/")
        assert sign_in(admin, idp).status_code == 302
    assert "alice" in people(app)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "case, message",
    [
        ("wrong_issuer", "calls itself https://elsewhere.example"),
        ("unreachable", "Could not reach"),
        ("plain_http", "must use https://"),
        ("not_a_url", "must be a full address"),
        ("down", "answered HTTP 503"),
    ],
)
def test_saving_refuses_a_provider_that_does_not_check_out(app, admin, idp, case, message):
    issuer = idp.issuer
    if case == "wrong_issuer":
        idp.provider.discovery_issuer = "https://elsewhere.example"
    elif case == "unreachable":
        issuer = f"http://127.0.0.1:{_closed_port()}"
    elif case == "plain_http":
        issuer = "http://auth.example.com/application/o/medianest/"
    elif case == "not_a_url":
        issuer = "auth.example.com"
    elif case == "down":
        idp.provider.discovery_down = True
    response = admin.post_form("/admin/oidc", form(idp, issuer=issuer), page="/admin/oidc")
    assert response.status_code == 400
    text = response.text
    assert message in text and 'id="issuer-error"' in text and 'aria-invalid="true"' in text
    assert SECRET not in text
    with app.app_context():
        assert settings.get("oidc.enabled") is False and settings.get("oidc.issuer") == ""


def test_switched_off_settings_save_even_when_the_provider_is_away(app, admin):
    issuer = f"http://127.0.0.1:{_closed_port()}"
    data = {"issuer": issuer, "client_id": CLIENT_ID, "label": "SSO", "admin_claim": "groups"}
    response = admin.post_form("/admin/oidc", data, page="/admin/oidc")
    assert response.status_code == 302
    assert "could not be checked" in admin.get("/admin/oidc").text
    with app.app_context():
        assert settings.get("oidc.issuer") == issuer and not settings.get("oidc.enabled")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"client_id": ""}, "client_id", "Enter the client ID"),
        ({"issuer": ""}, "issuer", "Enter the provider"),
        ({"label": ""}, "label", "Enter the text"),
        ({"admin_claim": ""}, "admin_claim", "Name the claim"),
    ],
)
def test_missing_fields_are_explained_beside_them(app, admin, idp, changes, field, message):
    response = admin.post_form("/admin/oidc", form(idp, **changes), page="/admin/oidc")
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and message in response.text
    with app.app_context():
        assert settings.get("oidc.enabled") is False


def test_the_secret_never_leaves_the_server(app, admin, idp):
    admin.post_form("/admin/oidc", form(idp), page="/admin/oidc")
    page = admin.get("/admin/oidc").text
    assert SECRET not in page and "A secret is stored" in page
    failed = admin.post_form("/admin/oidc", form(idp, client_id=""), page="/admin/oidc")
    assert SECRET not in failed.text
    new_secret = "another-s3cret-9b1d"
    admin.post_form("/admin/oidc", form(idp, client_secret=new_secret), page="/admin/oidc")
    with app.app_context():
        logged = json.dumps(
            [e.details for e in db.session.scalars(select(AuditEvent))], ensure_ascii=False
        )
        stored = db.session.get(Setting, "oidc.client_secret").value
    assert SECRET not in logged and new_secret not in logged and "••••••" in logged
    assert SECRET not in stored and new_secret not in stored  # encrypted at rest
    if admin.application.view_functions.get("admin.audit"):
        audit_page = admin.get("/admin/audit").text
        assert SECRET not in audit_page and new_secret not in audit_page


def test_a_blank_secret_keeps_the_stored_one(app, admin, idp):
    admin.post_form("/admin/oidc", form(idp), page="/admin/oidc")
    admin.post_form("/admin/oidc", form(idp, client_secret="", label="SSO"), page="/admin/oidc")
    with app.app_context():
        assert settings.get("oidc.client_secret") == SECRET
        assert settings.get("oidc.label") == "SSO"


def test_the_stored_secret_can_be_removed(app, admin, idp):
    admin.post_form("/admin/oidc", form(idp), page="/admin/oidc")
    data = form(idp, client_secret="", clear_secret="1")
    assert admin.post_form("/admin/oidc", data, page="/admin/oidc").status_code == 302
    with app.app_context():
        assert settings.get("oidc.client_secret") == ""


def test_switching_off_hides_the_button_and_stops_sign_in(app, admin, idp):
    admin.post_form("/admin/oidc", form(idp), page="/admin/oidc")
    admin.post_form("/admin/oidc", form(idp, enabled=None), page="/admin/oidc")
    admin.post_form("/logout", page="/")
    assert "Sign in with Authentik" not in admin.get("/login").text
    assert admin.post_form("/login/oidc", page="/login").status_code == 404


def test_a_change_is_audited_with_the_actor(app, admin, idp):
    admin.post_form("/admin/oidc", form(idp), page="/admin/oidc")
    change = audit_events(app, "settings.changed")[-1]
    assert change.actor_name == "owner"
    assert change.details["oidc.enabled"] == {"old": False, "new": True}
    assert change.details["oidc.client_secret"] == {"old": "", "new": "••••••"}
