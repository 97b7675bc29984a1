"""Invitations: an admin makes a link, one person joins with it, and every step is logged."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, Invitation, Notification, User
from app.models.base import utcnow
from tests.conftest import PASSWORD
from tests.integration.plex_helpers import plex_round_trip

NEW = {"username": "gran", "password": "knitting needles", "confirm": "knitting needles"}


@pytest.fixture
def team(app, auth):
    return {
        "owner": auth.owner(),
        "ada": auth.create("ada", role="admin"),
        "bob": auth.create("bob"),
    }


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.text)).split())


def invite(client, note="Grandma", role="user", days="7") -> str:
    """Create an invitation as the signed-in admin; the path of its link."""
    response = client.post_form("/admin/users/invites", {"note": note, "role": role, "days": days})
    assert response.status_code == 200, response.text
    link = re.search(r'id="invite-link" value="([^"]+)"', response.text).group(1)
    assert link.startswith("http://localhost/invite/")
    return link.removeprefix("http://localhost")


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def only_invitation(app) -> Invitation:
    with app.app_context():
        return db.session.scalars(select(Invitation)).one()


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("ada", 200)])
def test_only_admins_see_and_make_invitations(app, client, auth, team, who, status):
    if who != "anonymous":
        auth.login(who)
    assert client.get("/admin/users/invites").status_code == status
    made = client.post_form("/admin/users/invites", {"note": "x", "role": "user", "days": "7"})
    assert made.status_code == status
    assert client.post_form("/admin/users/invites/1/revoke").status_code in (status, 404, 302)
    with app.app_context():
        assert bool(db.session.scalars(select(Invitation)).all()) == (who == "ada")


def test_a_new_link_works_once_and_lets_the_person_in(app, client, auth, team):
    with app.app_context():
        settings.put({"signup.approval_required": True})
    auth.login("ada")
    path = invite(client)
    token = path.rsplit("/", 1)[1]
    stored = only_invitation(app)
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.expires_at - utcnow() > timedelta(days=6, hours=23)
    listing = words(client.get("/admin/users/invites"))
    assert "Grandma User Active until" in listing
    auth.logout()

    guest = app.test_client()
    page = guest.get(path)
    assert page.status_code == 200 and "ada invited you" in words(page)
    joined = guest.post_form(path, NEW, page=path)
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert guest.get("/").status_code == 200  # signed in, no approval wait
    with app.app_context():
        gran = db.session.scalars(select(User).where(User.username == "gran")).one()
        assert (gran.role, gran.pending, gran.last_login_at is not None) == ("user", False, True)
        assert gran.check_password("knitting needles")
    assert only_invitation(app).used_by_name == "gran"

    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "already been used" in words(again) and "Ask ada, who sent it" in words(again)
    auth.login("ada")
    assert "Grandma User Used by gran" in words(client.get("/admin/users/invites"))
    assert {"invite.created", "invite.used"} <= set(actions(app))
    log = words(client.get("/admin/audit"))
    assert "gran joined with an invitation from ada." in log
    assert "ada created an invitation for Grandma to join as a user." in log


def test_an_admin_invitation_makes_an_admin(app, client, auth, team):
    auth.login("ada")
    path = invite(client, note="", role="admin", days="1")
    auth.logout()
    assert client.post_form(path, NEW, page=path).status_code == 302
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize(
    "form, message",
    [
        ({**NEW, "username": "bob"}, "Someone already has this username."),
        ({**NEW, "username": "BOB"}, "Someone already has this username."),
        ({**NEW, "username": "g"}, "A username has 3 to 32 characters."),
        ({**NEW, "username": "-gran"}, "Use letters, digits, dot, dash or underscore"),
        ({**NEW, "password": "short", "confirm": "short"}, "A password needs at least 10"),
        ({**NEW, "confirm": "something else"}, "The passwords differ."),
    ],
)
def test_bad_sign_ups_are_explained_and_keep_the_link(app, client, auth, team, form, message):
    auth.login("ada")
    path = invite(client)
    auth.logout()
    guest = app.test_client()
    response = guest.post_form(path, form, page=path)
    assert response.status_code == 400 and message in words(response)
    assert only_invitation(app).state() == "active"
    assert guest.get("/").status_code == 302


def _expire(app):
    with app.app_context():
        row = db.session.scalars(select(Invitation)).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def test_expired_revoked_and_made_up_links_get_a_clear_page(app, client, auth, team):
    auth.login("ada")
    path = invite(client)
    _expire(app)
    guest = app.test_client()
    expired = guest.get(path)
    assert expired.status_code == 410 and "This invitation has expired." in words(expired)
    assert "Expired" in words(client.get("/admin/users/invites"))

    second = invite(client, note="Uncle")
    with app.app_context():
        uncle = db.session.scalars(select(Invitation).where(Invitation.note == "Uncle")).one()
    revoked = client.post_form(f"/admin/users/invites/{uncle.id}/revoke", follow_redirects=True)
    assert "its link no longer works" in words(revoked)
    assert "Uncle User Revoked by ada" in words(revoked)
    assert not revoked.text.count('aria-label="Revoke the invitation for Uncle"')
    gone = guest.get(second)
    assert gone.status_code == 410 and "withdrawn" in words(gone)
    assert guest.post_form(second, NEW, page="/login").status_code == 410

    for bad in ("/invite/nope", "/invite/" + "x" * 500, second + "x"):
        response = guest.get(bad)
        assert response.status_code == 404 and "link is not valid" in words(response)
    assert "invite.revoked" in actions(app)
    assert client.post_form("/admin/users/invites/99999/revoke").status_code == 404
    assert client.post_form("/admin/users/invites/999999999999/revoke").status_code == 404


def test_someone_signed_in_leaves_the_link_unused(app, client, auth, team):
    auth.login("ada")
    path = invite(client)
    response = client.get(path)
    assert response.status_code == 409 and "already signed in" in words(response)
    assert only_invitation(app).state() == "active"


def test_bad_admin_input_is_explained(app, client, auth, team):
    auth.login("ada")
    for form, message in (
        ({"role": "owner", "days": "7"}, "Choose User or Admin."),
        ({"role": "user", "days": "365"}, "Choose how long the link works."),
        ({"role": "user", "days": "soon"}, "Choose how long the link works."),
        ({"role": "user", "days": "٧"}, "Choose how long the link works."),
        ({"role": "user", "days": "9" * 5000}, "Choose how long the link works."),
        ({"role": "user", "days": "7", "note": "n" * 300}, "under 200 characters"),
    ):
        response = client.post_form("/admin/users/invites", form)
        assert response.status_code == 400 and message in words(response)
    with app.app_context():
        assert not db.session.scalars(select(Invitation)).all()


def test_plex_with_an_invitation_skips_approval(plex_app, plex_world):
    with plex_app.app_context():
        settings.put({"signup.approval_required": True})
    admin = plex_app.test_client()
    admin.post_form("/login", {"username": "owner", "password": PASSWORD})
    path = invite(admin, role="admin")
    assert "Join with Plex" in plex_app.test_client().get(path).text

    stranger = plex_app.test_client()
    refused = plex_round_trip(stranger, plex_world, plex_world.stranger, f"{path}/plex", path)
    assert refused.status_code == 403  # Plex sharing still decides who may enter
    assert only_invitation(plex_app).state() == "active"
    assert f'href="{path}">join with a MediaNest username and password</a>' in refused.text

    friend = plex_app.test_client()
    landed = plex_round_trip(friend, plex_world, plex_world.friend, f"{path}/plex", path)
    assert landed.status_code == 302 and friend.get("/").status_code == 200
    with plex_app.app_context():
        user = db.session.scalars(select(User).where(User.username == "friend")).one()
        assert (user.pending, user.role) == (False, "admin")
        assert not db.session.scalars(select(Notification)).all()  # nobody has to approve
    used = only_invitation(plex_app)
    assert (used.state(), used.used_by_name) == ("used", "friend")
    log = words(admin.get("/admin/audit"))
    assert "friend joined with an invitation from owner, signing in with Plex." in log


def test_without_plex_the_page_offers_only_a_password(app, client, auth, team):
    auth.login("ada")
    path = invite(client)
    auth.logout()
    page = client.get(path).text
    assert "Join with Plex" not in page and "Choose a username and password" in page
    response = client.post_form(f"{path}/plex", page=path)
    assert response.status_code == 302 and response.headers["Location"] == path


def test_only_a_hash_of_the_link_is_stored(app, client, auth, team):
    auth.login("ada")
    token = invite(client).rsplit("/", 1)[1]
    with app.app_context():
        dump = " ".join(
            str(v) for row in db.session.execute(select(Invitation.__table__)) for v in row
        )
    assert token not in dump


def test_setup_promises_invitations_and_people_keeps_the_promise(client, auth):
    setup = words(client.get("/setup"))
    assert "invite people (Admin → People → Invite someone)" in setup
    auth.owner()
    auth.login()
    people = client.get("/admin/users").text
    assert 'href="/admin/users/invites" role="button">Invite someone</a>' in people
    assert "invitation" in client.get("/admin/signup").text
