"""Signing in with Plex against a simulated plex.tv."""

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, Identity, Notification, User
from tests.integration.plex_helpers import approve, plex_round_trip


@pytest.fixture
def client(plex_app):
    return plex_app.test_client()


def users(app) -> dict[str, User]:
    with app.app_context():
        return {u.username: u for u in db.session.scalars(select(User))}


def test_the_login_page_offers_plex_once_a_server_is_connected(client):
    assert "Sign in with Plex" in client.get("/login").text


def test_the_browser_goes_to_app_plex_tv_with_a_way_back(client, plex_world):
    response = client.post_form("/login/plex")
    location = response.headers["Location"]
    assert location.startswith(plex_world.plextv_url + "/auth#?clientID=")
    assert "forwardUrl=http%3A%2F%2Flocalhost%2Flogin%2Fplex%2Fcallback" in location
    assert "context%5Bdevice%5D%5Bproduct%5D=MediaNest" in location


def test_a_friend_with_access_signs_in_and_gets_an_account(plex_app, client, plex_world):
    response = plex_round_trip(client, plex_world, plex_world.friend)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "friend" in client.get("/").text
    friend = users(plex_app)["friend"]
    assert friend.email == "friend@example.com" and friend.role == "user"
    assert friend.password_hash is None
    with plex_app.app_context():
        identity = db.session.scalars(select(Identity)).one()
        assert identity.subject == str(plex_world.friend.id) and identity.provider == "plex"
        assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "signin.success"


def test_the_next_sign_in_reuses_the_account_and_refreshes_it(plex_app, client, plex_world):
    plex_round_trip(client, plex_world, plex_world.friend)
    client.post_form("/logout", page="/")
    plex_world.friend.username, plex_world.friend.email = "friend2", "new@example.com"
    assert plex_round_trip(client, plex_world, plex_world.friend).status_code == 302
    people = users(plex_app)
    assert "friend" not in people and people["friend2"].email == "new@example.com"
    assert len(people) == 2  # owner and the one friend


def test_the_owner_plex_account_is_the_owner_account(plex_app, client, plex_world):
    plex_round_trip(client, plex_world, plex_world.owner)
    people = users(plex_app)
    assert list(people) == ["owner"] and people["owner"].is_owner


def test_someone_without_access_is_told_why_and_nothing_is_created(plex_app, client, plex_world):
    response = plex_round_trip(client, plex_world, plex_world.stranger)
    assert response.status_code == 403
    text = response.text
    assert "isn't shared with that account" in text and "managed user" in text
    assert "stranger" not in users(plex_app)
    assert client.get("/").status_code == 302
    with plex_app.app_context():
        assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "signin.refused"


def test_unsharing_locks_the_person_out(plex_app, client, plex_world):
    plex_world.state.unshare(plex_world.server, plex_world.friend)
    assert plex_round_trip(client, plex_world, plex_world.friend).status_code == 403


def test_access_falls_back_to_the_persons_own_server_list(plex_app, client, plex_world):
    with plex_app.app_context():
        settings.put({"plex.owner_token": "no-longer-valid"})
    assert plex_round_trip(client, plex_world, plex_world.friend).status_code == 302


def test_a_cancelled_sign_in_says_so(client, plex_world):
    response = plex_round_trip(client, plex_world, None)
    assert response.status_code == 400
    assert "has not confirmed the sign-in" in response.text and "Try again" in response.text


def test_an_expired_pin_says_so(client, plex_world):
    started = client.post_form("/login/plex")
    plex_world.state.pin_lifetime_seconds = 0
    for pin in plex_world.state.pins.values():
        pin.expires_at = 0
    response = client.get("/login/plex/callback")
    assert response.status_code == 400 and "expired" in response.text
    assert started.status_code == 302


def test_a_callback_nobody_started_signs_no_one_in(plex_app, client):
    response = client.get("/login/plex/callback")
    assert response.status_code == 400 and "another browser" in response.text
    assert client.get("/").status_code == 302


def test_a_replayed_callback_signs_no_one_in(plex_app, client, plex_world):
    started = client.post_form("/login/plex")
    approve(plex_world, started.headers["Location"], plex_world.friend)
    saved = client.get_cookie("medianest_session").value
    assert client.get("/login/plex/callback").status_code == 302
    thief = plex_app.test_client()
    thief.set_cookie("medianest_session", saved)
    response = thief.get("/login/plex/callback")
    assert response.status_code == 400 and "already used" in response.text
    assert thief.get("/").status_code == 302


@pytest.mark.parametrize(
    "switch, value, words",
    [
        ("down", True, "having trouble"),
        ("garbage", True, "could not read"),
        ("status_override", 429, "too many requests"),
        ("slow_seconds", 2.0, "taking too long"),
    ],
)
def test_plex_tv_trouble_is_explained(client, plex_world, switch, value, words):
    setattr(plex_world.state, switch, value)
    response = client.post_form("/login/plex")
    assert response.status_code == 502
    assert words in response.text and "Try again" in response.text


def test_approval_required_puts_newcomers_on_hold_and_tells_admins(plex_app, client, plex_world):
    with plex_app.app_context():
        settings.put({"signup.approval_required": True})
    response = plex_round_trip(client, plex_world, plex_world.friend)
    assert response.status_code == 403 and "Waiting for approval" in response.text
    assert client.get("/").status_code == 302
    with plex_app.app_context():
        note = db.session.scalars(select(Notification)).one()
        assert note.title == "friend is waiting for approval"
        db.session.scalars(select(User).where(User.username == "friend")).one().pending = False
        db.session.commit()
    assert plex_round_trip(client, plex_world, plex_world.friend).status_code == 302


def test_a_disabled_account_cannot_sign_in_with_plex(plex_app, client, plex_world):
    plex_round_trip(client, plex_world, plex_world.friend)
    client.post_form("/logout", page="/")
    with plex_app.app_context():
        db.session.scalars(select(User).where(User.username == "friend")).one().disabled = True
        db.session.commit()
    response = plex_round_trip(client, plex_world, plex_world.friend)
    assert response.status_code == 403 and "disabled" in response.text


def test_without_a_connected_server_plex_sign_in_explains(make_app, plex_world):
    from tests.conftest import Accounts

    app = make_app(PLEX_TV_URL=plex_world.plextv_url, PLEX_APP_URL=plex_world.plextv_url)
    Accounts(app, None).owner()
    client = app.test_client()
    assert "Sign in with Plex" not in client.get("/login").text
    response = plex_round_trip(client, plex_world, plex_world.friend)
    assert response.status_code == 403 and "isn't connected to a Plex server" in response.text


def test_starting_plex_sign_ins_is_rate_limited(client):
    codes = [client.post_form("/login/plex").status_code for _ in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_next_survives_the_round_trip(client, plex_world):
    started = client.post_form("/login/plex?next=/notifications/")
    approve(plex_world, started.headers["Location"], plex_world.friend)
    assert client.get("/login/plex/callback").headers["Location"] == "/notifications/"


def test_a_foreign_next_is_dropped(client, plex_world):
    started = client.post_form("/login/plex?next=https://evil.example/")
    approve(plex_world, started.headers["Location"], plex_world.friend)
    assert client.get("/login/plex/callback").headers["Location"] == "/"


def test_a_plex_sign_in_counts_as_the_last_sign_in_and_lists_the_device(plex_app, plex_world):
    owners = plex_app.test_client()
    plex_round_trip(owners, plex_world, plex_world.owner)
    people = owners.get("/admin/users").text
    assert "never" not in people.split('id="person-1"')[1].split("</tr>")[0]
    assert "with Plex" in owners.get("/account").text


def test_a_password_lockout_never_stops_a_plex_sign_in(plex_app, client, plex_world):
    for _ in range(25):
        client.post_form("/login", {"username": "owner", "password": "not the password"})
    locked = client.post_form("/login", {"username": "owner", "password": "x" * 12})
    assert locked.status_code == 429
    response = plex_round_trip(client, plex_world, plex_world.owner)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 200
