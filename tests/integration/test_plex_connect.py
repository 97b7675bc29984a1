"""The owner connects Plex and picks the server; or the environment does it at start-up."""

import json
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import settings
from app.admin.plex_services import provision_from_environment
from app.extensions import db
from app.models import AuditEvent, Identity
from tests.conftest import Accounts
from tests.integration.plex_helpers import approve


@pytest.fixture
def fresh(make_app, plex_world):
    """An app whose owner has not connected Plex yet, signed in as that owner."""
    app = make_app(PLEX_TV_URL=plex_world.plextv_url, PLEX_APP_URL=plex_world.plextv_url)
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    accounts.create("helper", role="admin")
    accounts.login()
    return app, client, accounts


def connect(client, world, account):
    started = client.post_form("/admin/plex/connect", page="/admin/plex")
    approve(world, started.headers["Location"], account)
    return client.get("/login/plex/callback")


def test_the_dashboard_asks_the_owner_to_connect_plex(fresh):
    _, client, _ = fresh
    assert "Connect your Plex server" in client.get("/").text


def test_owner_connects_plex_and_picks_the_working_address(fresh, plex_world):
    app, client, _ = fresh
    response = connect(client, plex_world, plex_world.owner)
    assert response.headers["Location"] == "/admin/plex/servers"
    page = client.get("/admin/plex/servers").text
    assert "Living Room" in page and plex_world.server_url in page and "answers" in page
    assert '<a href="/admin/plex" aria-current="page">Plex server</a>' in page  # where you are
    response = client.post_form(
        "/admin/plex/servers",
        {"machine_id": plex_world.server.machine_identifier, "address": plex_world.server_url},
        page="/admin/plex/servers",
        follow_redirects=True,
    )
    assert "Connected to Living Room" in response.text
    assert plex_world.server.version in response.text
    with app.app_context():
        assert settings.get("plex.machine_id") == plex_world.server.machine_identifier
        assert settings.get("plex.owner_account_id") == str(plex_world.owner.id)
        identity = db.session.scalars(select(Identity)).one()
        assert identity.subject == str(plex_world.owner.id)
        changes = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.changed")
        ).all()
        logged = str([c.details for c in changes])
        assert plex_world.owner.token not in logged and "••••••" in logged
    page = client.get("/").text
    assert 'id="plex-prompt"' not in page and "Connected to Living Room" in page


def test_the_token_is_encrypted_at_rest(fresh, plex_world):
    app, client, _ = fresh
    connect(client, plex_world, plex_world.owner)
    with app.app_context():
        from app.models import Setting

        stored = db.session.get(Setting, "plex.owner_token").value
        assert plex_world.owner.token not in stored
        assert settings.get("plex.owner_token") == plex_world.owner.token


def test_a_dead_or_foreign_address_is_refused(fresh, plex_world):
    app, client, _ = fresh
    connect(client, plex_world, plex_world.owner)
    machine = plex_world.server.machine_identifier
    for address, words in [
        ("http://127.0.0.1:9/", "did not answer as Living Room"),
        ("ftp://example", "must start with http"),
    ]:
        response = client.post_form(
            "/admin/plex/servers",
            {"machine_id": machine, "custom_address": address},
            page="/admin/plex/servers",
            follow_redirects=True,
        )
        assert words in response.text
    response = client.post_form(
        "/admin/plex/servers",
        {"machine_id": "not-mine", "address": plex_world.server_url},
        page="/admin/plex/servers",
        follow_redirects=True,
    )
    assert "not one of yours" in response.text
    with app.app_context():
        assert settings.get("plex.machine_id") == ""


def test_an_account_without_servers_is_told(fresh, plex_world):
    _, client, _ = fresh
    connect(client, plex_world, plex_world.stranger)
    assert "doesn't own any server" in client.get("/admin/plex/servers").text


@pytest.mark.parametrize("who, expected", [("helper", 403), ("anonymous", 302)])
def test_only_the_owner_connects_plex(fresh, who, expected):
    app, _, _ = fresh
    client = app.test_client()
    if who != "anonymous":
        Accounts(app, client).login(who)
    for path in ("/admin/plex", "/admin/plex/servers"):
        assert client.get(path).status_code == expected
    token = client.token("/login")
    response = client.post("/admin/plex/connect", data={"csrf_token": token})
    assert response.status_code == expected


def test_a_connect_callback_for_someone_else_does_nothing(fresh, plex_world):
    app, client, _ = fresh
    started = client.post_form("/admin/plex/connect", page="/admin/plex")
    approve(plex_world, started.headers["Location"], plex_world.owner)
    client.post_form("/logout", page="/")
    Accounts(app, client).login("helper")
    response = client.get("/login/plex/callback")
    assert response.status_code in (400, 403)
    with app.app_context():
        assert settings.get("plex.owner_token") == ""


def test_environment_configures_the_server_at_start(make_app, plex_world):
    app = make_app(
        PLEX_TV_URL=plex_world.plextv_url,
        PLEX_URL=plex_world.server_url,
        PLEX_TOKEN=plex_world.owner.token,
    )
    with app.app_context():
        assert provision_from_environment() is None
        assert settings.get("plex.machine_id") == plex_world.server.machine_identifier
        assert settings.get("plex.server_name") == "Living Room"
        assert settings.get("plex.owner_account_id") == str(plex_world.owner.id)


def test_environment_with_a_bad_token_reports_it(make_app, plex_world):
    app = make_app(PLEX_URL=plex_world.server_url, PLEX_TOKEN="wrong")
    with app.app_context():
        assert "did not accept the token" in provision_from_environment()
        assert settings.get("plex.machine_id") == ""


class Canary:
    """A loopback server posing as Plex at a typed address; it records every header it is sent."""

    def __init__(self, machine_id: str):
        self.headers: list[dict] = []
        self.machine_id = machine_id
        self._server = make_server("127.0.0.1", 0, self._answer, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _answer(self, environ, start_response):
        self.headers.append({k: v for k, v in environ.items() if k.startswith("HTTP_")})
        body = json.dumps({"MediaContainer": {"machineIdentifier": self.machine_id}})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]

    def stop(self):
        self._server.shutdown()


def test_a_typed_address_gets_the_token_only_after_it_answers_as_our_server(fresh, plex_world):
    app, client, _ = fresh
    connect(client, plex_world, plex_world.owner)
    canary = Canary("someone-elses-server")
    try:
        response = client.post_form(
            "/admin/plex/servers",
            {"machine_id": plex_world.server.machine_identifier, "custom_address": canary.url},
            page="/admin/plex/servers",
            follow_redirects=True,
        )
    finally:
        canary.stop()
    assert "did not answer as Living Room" in response.text and "sent it no token" in response.text
    assert canary.headers, "the address was asked who it is"
    assert not any("HTTP_X_PLEX_TOKEN" in h for h in canary.headers)
    with app.app_context():
        assert settings.get("plex.machine_id") == ""
