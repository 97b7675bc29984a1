"""People: one person's page, the actions on them and the rules that guard them."""

import json

import pytest
from redis import Redis
from sqlalchemy import func, select

from app.admin import people_services
from app.extensions import db
from app.models import AuditEvent, Identity, Notification, User
from app.notifications.services import notify
from app.realtime.events import user_channel
from tests.conftest import wait_for
from tests.integration import people_helpers
from tests.integration.people_helpers import audit_actions, text, user

people, as_ada = people_helpers.people, people_helpers.as_ada


# One person's page and the actions


@pytest.mark.parametrize(
    "path",
    ["/admin/users/abc", "/admin/users/0", "/admin/users/999", "/admin/users/99999999999999"],
)
def test_unknown_people_are_a_404_page(client, as_ada, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.text


def test_an_action_on_someone_unknown_is_a_404(client, as_ada):
    assert client.post_form("/admin/users/999/disable").status_code == 404
    assert client.post_form("/admin/users/99999999999999/delete").status_code == 404


def test_change_role_both_ways(app, client, as_ada):
    response = client.post_form(
        f"/admin/users/{as_ada['bob']}/role", {"role": "admin"}, follow_redirects=True
    )
    assert "bob is now an admin" in response.text
    assert user(app, as_ada["bob"]).role == "admin"
    client.post_form(f"/admin/users/{as_ada['bob']}/role", {"role": "user"})
    assert user(app, as_ada["bob"]).role == "user"
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.role_changed")
        ).all()
        assert [e.details for e in events] == [
            {"old": "user", "new": "admin"},
            {"old": "admin", "new": "user"},
        ]
        assert {(e.actor_name, e.target) for e in events} == {("ada", "bob")}


def test_an_unknown_role_is_explained(app, client, as_ada):
    response = client.post_form(
        f"/admin/users/{as_ada['bob']}/role", {"role": "root"}, follow_redirects=True
    )
    assert "Choose Admin or User" in response.text
    assert user(app, as_ada["bob"]).role == "user"


@pytest.mark.parametrize("role", ["user", "admin"])
def test_the_owners_role_cannot_change(app, client, as_ada, role):
    page = client.get(f"/admin/users/{as_ada['owner']}").text
    assert "The owner is always an admin" in page and "Change role" not in page
    response = client.post_form(
        f"/admin/users/{as_ada['owner']}/role", {"role": role}, follow_redirects=True
    )
    assert "The owner is always an admin" in response.text
    assert user(app, as_ada["owner"]).role == "admin"


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_the_owner_cannot_be_disabled_or_deleted(app, client, as_ada, action):
    page = text(client.get(f"/admin/users/{as_ada['owner']}"))
    assert f"The owner's account cannot be {action}d" in page
    response = client.post_form(f"/admin/users/{as_ada['owner']}/{action}", follow_redirects=True)
    assert f"The owner's account cannot be {action}d" in text(response)
    owner = user(app, as_ada["owner"])
    assert owner is not None and not owner.disabled


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_an_admin_cannot_disable_or_delete_themselves(app, client, as_ada, action):
    response = client.post_form(f"/admin/users/{as_ada['ada']}/{action}", follow_redirects=True)
    assert f"You cannot {action} your own account" in response.text
    ada = user(app, as_ada["ada"])
    assert ada is not None and not ada.disabled


@pytest.fixture
def ownerless(app, auth):
    """An instance whose owner account is gone (removed by hand): ada is the only admin left."""
    owner_id = auth.owner()
    ids = {"ada": auth.create("ada", role="admin"), "cy": auth.create("cy", role="admin")}
    with app.app_context():
        db.session.delete(db.session.get(User, owner_id))
        db.session.commit()
    assert auth.login("ada").status_code == 302
    return ids


def test_the_last_active_admin_keeps_their_role(app, client, ownerless):
    client.post_form(f"/admin/users/{ownerless['cy']}/role", {"role": "user"})
    assert user(app, ownerless["cy"]).role == "user"  # ada is still an admin, so that is fine
    page = client.get(f"/admin/users/{ownerless['ada']}").text
    assert "ada is the last active admin" in page
    response = client.post_form(
        f"/admin/users/{ownerless['ada']}/role", {"role": "user"}, follow_redirects=True
    )
    assert "ada is the last active admin" in response.text
    assert user(app, ownerless["ada"]).role == "admin"


def test_a_disabled_admin_does_not_count_as_another_admin(app, client, auth, ownerless):
    client.post_form(f"/admin/users/{ownerless['cy']}/disable")
    assert user(app, ownerless["cy"]).disabled
    client.post_form(f"/admin/users/{ownerless['ada']}/role", {"role": "user"})
    assert user(app, ownerless["ada"]).role == "admin"


def test_the_last_active_admin_cannot_be_disabled_or_deleted_by_anyone(app, client, ownerless):
    # Signed-in admins always leave themselves as an admin, so this guards jobs and the CLI.
    client.post_form(f"/admin/users/{ownerless['cy']}/role", {"role": "user"})
    with app.app_context():
        ada = db.session.get(User, ownerless["ada"])
        for action in (people_services.disable, people_services.delete):
            with pytest.raises(people_services.PeopleError, match="ada is the last active admin"):
                action(ada, actor=None)
    ada = user(app, ownerless["ada"])
    assert ada is not None and not ada.disabled


def test_demoting_yourself_leads_out_of_the_admin_area(app, client, as_ada):
    response = client.post_form(f"/admin/users/{as_ada['ada']}/role", {"role": "user"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 403


def test_disabling_ends_their_session_and_their_open_pages_at_once(app, client, auth, as_ada):
    bobs = app.test_client()
    assert auth.login("bob", client=bobs).status_code == 302
    assert bobs.get("/").status_code == 200
    listener = Redis.from_url(app.config["REDIS_URL"]).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(user_channel(as_ada["bob"]))
    response = client.post_form(f"/admin/users/{as_ada['bob']}/disable", follow_redirects=True)
    assert "bob is disabled and was signed out everywhere" in response.text
    landed = bobs.get("/")
    assert landed.status_code == 302 and landed.headers["Location"].startswith("/login")
    assert auth.login("bob", client=app.test_client()).status_code == 401
    message = wait_for(lambda: listener.get_message(timeout=0.5))
    listener.close()
    event = json.loads(message["data"])
    assert event["type"] == "session.ended" and len(event["sessions"]) == 1
    assert "user.disabled" in audit_actions(app)


def test_enable_lets_them_sign_in_again(app, client, auth, as_ada):
    client.post_form(f"/admin/users/{as_ada['bob']}/disable")
    page = client.get(f"/admin/users/{as_ada['bob']}").text
    assert "Disabled: bob cannot sign in" in page
    response = client.post_form(f"/admin/users/{as_ada['bob']}/enable", follow_redirects=True)
    assert "bob can sign in again" in response.text
    assert audit_actions(app)[-2:] == ["user.disabled", "user.enabled"]
    assert auth.login("bob", client=app.test_client()).status_code == 302


def test_approving_lets_a_waiting_person_in_and_tells_them(app, client, auth, as_ada):
    pat_id = auth.create("pat")
    with app.app_context():
        db.session.get(User, pat_id).pending = True
        db.session.commit()
    pats = app.test_client()
    assert auth.login("pat", client=pats).status_code == 401
    listing = client.get("/admin/users?status=pending").text
    assert ">pat</a>" in listing and "Approve" in listing
    response = client.post_form(
        f"/admin/users/{pat_id}/approve",
        {"next": "/admin/users?status=pending"},
        follow_redirects=True,
    )
    assert "pat can now sign in" in response.text
    assert "No one matches this search" in response.text  # back on the filtered list
    assert auth.login("pat", client=pats).status_code == 302
    # nothing promised that MediaNest does not do yet (requests, downloads)
    notes = pats.get("/notifications/").text
    assert "An admin approved your account. You can now browse the library." in notes
    role = client.get(f"/admin/users/{pat_id}").text.split('id="role"')[1].split("</article>")[0]
    assert "Users browse the library and ask for titles." in role and "download" not in role
    assert "user.approved" in audit_actions(app)


def test_approve_ignores_an_outside_return_address(client, as_ada, auth):
    pat_id = auth.create("pat")
    response = client.post_form(f"/admin/users/{pat_id}/approve", {"next": "//evil.example/"})
    assert response.headers["Location"] == f"/admin/users/{pat_id}"


def test_delete_asks_first_then_removes_their_rows(app, client, auth, as_ada):
    bobs = app.test_client()
    auth.login("bob", client=bobs)
    with app.app_context():
        bob = db.session.get(User, as_ada["bob"])
        db.session.add(Identity(provider="plex", issuer="plex.tv", subject="42", user=bob))
        db.session.commit()
        notify([as_ada["bob"]], "Hello bob")
    confirm = client.get(f"/admin/users/{as_ada['bob']}/delete").text
    assert "Delete bob?" in confirm and "notifications" in confirm
    assert user(app, as_ada["bob"]) is not None  # asking changes nothing
    response = client.post_form(f"/admin/users/{as_ada['bob']}/delete", follow_redirects=True)
    assert "bob was deleted" in response.text and ">bob</a>" not in response.text
    with app.app_context():
        assert db.session.get(User, as_ada["bob"]) is None
        assert db.session.scalar(select(func.count(Identity.id))) == 0
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        signin = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "signin.success", AuditEvent.target == "bob"
            )
        ).one()
        assert signin.actor_id is None and signin.actor_name == "bob"
        deleted = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.deleted")
        ).one()
        assert (deleted.actor_name, deleted.target) == ("ada", "bob")
    landed = bobs.get("/")
    assert landed.status_code == 302 and landed.headers["Location"].startswith("/login")


def test_the_person_page_offers_no_quotas_for_features_that_do_not_exist(client, as_ada):
    page = client.get(f"/admin/users/{as_ada['bob']}").text
    assert "Quotas" not in page and "quota" not in page
    assert "<dt>Requests</dt>" not in page and "<dt>Downloads</dt>" not in page
    response = client.post_form(f"/admin/users/{as_ada['bob']}/quotas", {"requests": "7"})
    assert response.status_code == 404
