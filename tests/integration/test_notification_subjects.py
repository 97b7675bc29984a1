"""A notification about a person waiting for approval leads to them and is done once they are."""

import json

import pytest
from redis import Redis
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import Notification, User
from app.notifications.services import notify, resolve, subject_of
from app.realtime.events import user_channel
from tests.conftest import PASSWORD, Accounts, wait_for
from tests.integration.plex_helpers import plex_round_trip


@pytest.fixture
def waiting(plex_app, plex_world):
    """friend signed in with Plex and waits for approval; owner and ada are admins."""
    accounts = Accounts(plex_app, None)
    ada_id = accounts.create("ada", role="admin")
    with plex_app.app_context():
        settings.put({"signup.approval_required": True})
    response = plex_round_trip(plex_app.test_client(), plex_world, plex_world.friend)
    assert response.status_code == 403
    with plex_app.app_context():
        friend = db.session.scalars(select(User).where(User.username == "friend")).one()
        owner = db.session.scalars(select(User).where(User.is_owner.is_(True))).one()
        return {"friend": friend.id, "owner": owner.id, "ada": ada_id}


def notes(app) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(select(Notification).order_by(Notification.user_id)))


def admin_client(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_notification_opens_the_waiting_persons_page(plex_app, waiting):
    found = notes(plex_app)
    assert [n.user_id for n in found] == sorted([waiting["owner"], waiting["ada"]])
    assert {n.link for n in found} == {f"/admin/users/{waiting['friend']}"}
    client = admin_client(plex_app, "ada")
    page = client.get("/notifications/").text
    assert f'href="/admin/users/{waiting["friend"]}">Open</a>' in page


@pytest.mark.parametrize("action", ["approve", "delete", "disable"])
def test_dealing_with_the_person_marks_it_done_for_every_admin(plex_app, waiting, action):
    listener = Redis.from_url(plex_app.config["REDIS_URL"]).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(user_channel(waiting["owner"]))
    client = admin_client(plex_app, "ada")
    response = client.post_form(f"/admin/users/{waiting['friend']}/{action}", page="/")
    assert response.status_code == 302
    assert all(n.is_read for n in notes(plex_app) if n.title == "friend is waiting for approval")
    message = wait_for(lambda: listener.get_message(timeout=0.5))
    listener.close()
    assert json.loads(message["data"]) == {"type": "notification.count", "unread": 0}
    owners = admin_client(plex_app, "owner")
    assert 'class="bell-count"' not in owners.get("/").text


def test_resolving_touches_only_that_subject(app, auth):
    owner = auth.owner()
    with app.app_context():
        notify([owner], "About 1", subject=subject_of("user", 1))
        notify([owner], "About 11", subject=subject_of("user", 11))
        notify([owner], "About nothing")
        assert resolve(subject_of("user", 1)) == 1
        assert resolve(subject_of("user", 1)) == 0
    unread = {n.title for n in notes(app) if not n.is_read}
    assert unread == {"About 11", "About nothing"}
