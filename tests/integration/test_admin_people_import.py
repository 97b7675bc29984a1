"""People: importing the people the owner shares the Plex server with on plex.tv."""

import pytest
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.models import AuditEvent, Identity, User
from tests.conftest import Accounts
from tests.integration import people_helpers
from tests.integration.people_helpers import text

people, as_ada = people_helpers.people, people_helpers.as_ada


def test_import_without_a_plex_server_says_what_to_do(client, as_ada):
    html = client.get("/admin/users").text
    assert "Connect the Plex server first" in html
    response = client.post_form("/admin/users/import", follow_redirects=True)
    assert response.status_code == 200
    assert "Connect the Plex server first" in response.text


def test_import_when_plex_tv_cannot_be_reached_is_a_message_not_an_error(make_app):
    app = make_app(PLEX_TV_URL="http://127.0.0.1:9")
    accounts = Accounts(app, app.test_client())
    accounts.owner()
    with app.app_context():
        settings.put({"plex.owner_token": "token", "plex.machine_id": "machine"})
    accounts.login()
    response = accounts.client.post_form("/admin/users/import", follow_redirects=True)
    assert response.status_code == 200
    assert "Could not read your Plex friends: MediaNest could not reach plex.tv" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


@pytest.fixture
def plex_friends(make_app):
    """plex.tv with the owner's server shared with friends, and an app connected to it."""
    from simulators import SimulatorServer
    from simulators.plextv import PlexTvState, create_app

    state = PlexTvState()
    owner = state.add_account(username="owner", email="owner@example.com")
    server = state.add_server(owner, name="Living Room")
    other_server = state.add_server(owner, name="Cabin")
    friends = {
        name: state.add_account(username=name, email=f"{name}@example.com")
        for name in ("alice", "Bob", "carol", "dora", "stranger")
    }
    kid = state.add_account(username="kid", home_managed=True, home=owner)
    for name in ("alice", "Bob", "carol"):
        state.share(server, friends[name])
    state.share(server, kid)
    state.share(other_server, friends["dora"])  # shared, but not the server MediaNest uses
    with SimulatorServer(create_app(state)) as plextv:
        app = make_app(PLEX_TV_URL=plextv.url)
        accounts = Accounts(app, app.test_client())
        accounts.owner()
        accounts.create("bob")  # a password account that happens to share the name
        carol = accounts.create("carol-here")
        with app.app_context():
            settings.put(
                {
                    "plex.owner_token": owner.token,
                    "plex.machine_id": server.machine_identifier,
                    "signup.approval_required": True,
                    "signup.default_role": "user",
                }
            )
            db.session.add(
                Identity(
                    provider="plex",
                    issuer="plex.tv",
                    subject=str(friends["carol"].id),
                    user_id=carol,
                )
            )
            db.session.commit()
        accounts.login()
        yield app, accounts.client, state, owner, friends


def test_import_adds_the_friends_the_server_is_shared_with(plex_friends):
    app, client, state, owner, friends = plex_friends
    page = client.get("/admin/users").text
    assert "Import Plex users" in page and "Connect the Plex server first" not in page
    response = client.post_form("/admin/users/import", follow_redirects=True)
    message = text(response)
    assert "Added 2 people from Plex: alice, Bob-2." in message
    assert "1 person already has an account." in message
    assert "Skipped 1 person in your Plex Home" in message
    assert ">alice</a>" in response.text and ">Bob-2</a>" in response.text
    assert "dora" not in response.text and "stranger" not in response.text
    with app.app_context():
        alice = db.session.scalars(select(User).where(User.username == "alice")).one()
        assert (alice.email, alice.role, alice.pending, alice.password_hash) == (
            "alice@example.com",
            "user",
            False,
            None,
        )
        assert [(i.provider, i.issuer, i.subject) for i in alice.identities] == [
            ("plex", "plex.tv", str(friends["alice"].id))
        ]
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "users.imported")
        ).one()
        assert event.actor_name == "owner" and event.details["added"] == 2
    again = text(client.post_form("/admin/users/import", follow_redirects=True))
    assert "No one new to add from Plex. 3 people already have an account." in again
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "users.imported")
        ).all()
        assert [e.details["added"] for e in events] == [2, 0]


@pytest.mark.parametrize(
    "fault, message",
    [
        ("down", "plex.tv"),
        ("token", "plex.tv no longer accepts the owner's Plex sign-in"),
    ],
)
def test_import_turns_plex_tv_trouble_into_a_message(plex_friends, fault, message):
    app, client, state, owner, _ = plex_friends
    if fault == "down":
        state.down = True
    else:
        owner.token = "revoked-token-000000"
    response = client.post_form("/admin/users/import", follow_redirects=True)
    assert response.status_code == 200
    assert "Could not read your Plex friends: " + message in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 3
