"""People: who may see the pages, the table, each action and the rules that guard them."""

import html
import json
import re
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import func, select

from app import settings
from app.admin import people_services
from app.extensions import db
from app.models import AuditEvent, Identity, Notification, User
from app.models.base import utcnow
from app.notifications.services import notify
from app.realtime.events import user_channel
from tests.conftest import Accounts, wait_for


@pytest.fixture
def people(app, auth):
    """The owner, a second admin (ada) and a user (bob); no one is signed in yet."""
    ids = {
        "owner": auth.owner(),
        "ada": auth.create("ada", role="admin"),
        "bob": auth.create("bob"),
    }
    with app.app_context():
        db.session.get(User, ids["bob"]).email = "Bob@Example.org"
        db.session.commit()
    return ids


@pytest.fixture
def as_ada(auth, people):
    assert auth.login("ada").status_code == 302
    return people


def text(response) -> str:
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


PAGES = ["/admin/users", "/admin/users/{bob}", "/admin/users/{bob}/delete"]
ACTIONS = [
    ("/admin/users/import", {}),
    ("/admin/users/{bob}/role", {"role": "admin"}),
    ("/admin/users/{bob}/approve", {}),
    ("/admin/users/{bob}/disable", {}),
    ("/admin/users/{bob}/enable", {}),
    ("/admin/users/{bob}/quotas", {"requests": "5", "downloads": ""}),
    ("/admin/users/{bob}/delete", {}),
]


def sign_in_as(auth, who):
    if who != "anonymous":
        assert auth.login(who).status_code == 302


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("ada", 200)])
def test_who_may_see_the_people_pages(client, auth, people, path, who, status):
    sign_in_as(auth, who)
    response = client.get(path.format(**people))
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path, form", ACTIONS)
@pytest.mark.parametrize("who", ["anonymous", "bob", "ada"])
def test_who_may_act_on_people(app, client, auth, people, path, form, who):
    sign_in_as(auth, who)
    before = audit_actions(app)
    response = client.post_form(path.format(**people), form)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif who == "bob":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert not response.headers["Location"].startswith("/login")
    if who != "ada":
        assert [a for a in audit_actions(app) if a.startswith("user")] == [
            a for a in before if a.startswith("user")
        ]


# The table


def test_the_table_lists_everyone_with_what_an_admin_needs(app, client, as_ada):
    with app.app_context():
        bob = db.session.get(User, as_ada["bob"])
        db.session.add(Identity(provider="plex", issuer="plex.tv", subject="77", user=bob))
        db.session.add(
            Identity(provider="oidc", issuer="https://sso.example", subject="b", user=bob)
        )
        bob.last_login_at = utcnow() - timedelta(hours=3)
        db.session.commit()
    html = client.get("/admin/users").text
    row = html[html.index('id="person-{}"'.format(as_ada["bob"])) :].split("</tr>")[0]
    assert "bob" in row and "Bob@Example.org" in row
    assert "Password, OIDC, Plex" in row
    assert "3 hours ago" in row and ">Active<" in row and ">User<" in row
    assert row.count('class="number">0<') == 2  # requests, downloads
    assert "3 people" in html
    assert 'aria-current="page">People<' in html


def _many(app, n=30):
    with app.app_context():
        for i in range(n):
            db.session.add(
                User(
                    username=f"person{i:02d}",
                    email=f"p{i:02d}@friends.example",
                    pending=i % 10 == 0,
                    disabled=i % 10 == 1,
                    created_at=utcnow() - timedelta(days=i),
                    last_login_at=utcnow() - timedelta(minutes=i) if i % 2 else None,
                )
            )
        db.session.commit()


def test_search_matches_username_or_email_ignoring_case(app, client, as_ada):
    _many(app)
    by_name = client.get("/admin/users?q=PERSON0").text
    assert "10 people match" in by_name and "person09" in by_name and "person10" not in by_name
    by_email = client.get("/admin/users?q=example.ORG").text
    assert "1 person matches" in by_email and ">bob</a>" in by_email
    nothing = client.get("/admin/users?q=zzz%25_").text
    assert "No one matches this search" in nothing


@pytest.mark.parametrize(
    "query, expected",
    [
        ("role=admin", {"owner", "ada"}),
        ("status=pending", {"person00", "person10", "person20"}),
        ("status=disabled", {"person01", "person11", "person21"}),
        ("role=user&status=disabled&q=1", {"person01", "person11", "person21"}),
    ],
)
def test_filters_by_role_and_status(app, client, as_ada, query, expected):
    _many(app)
    html = client.get("/admin/users?" + query).text
    names = {name for name in _names(html)}
    assert names == expected


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', page)


def test_sorts_by_last_sign_in_and_by_join_date(app, client, as_ada):
    _many(app)
    recent = _names(client.get("/admin/users?sort=last_login").text)
    assert recent[:3] == ["ada", "person01", "person03"]  # ada signed in just now
    newest = _names(client.get("/admin/users?sort=created&q=person").text)
    assert newest[:3] == ["person00", "person01", "person02"]
    by_name = _names(client.get("/admin/users").text)
    assert by_name[:3] == ["ada", "bob", "owner"]


def test_pages_of_25_keep_the_search_in_their_links(app, client, as_ada):
    _many(app)
    first = client.get("/admin/users?q=person&sort=created").text
    assert "Page 1 of 2" in first and len(_names(first)) == 25
    assert 'href="/admin/users?q=person&amp;sort=created&amp;page=2"' in first
    second = client.get("/admin/users?q=person&sort=created&page=2").text
    assert _names(second) == [f"person{i}" for i in range(25, 30)]
    assert "Page 2 of 2" in client.get("/admin/users?q=person&page=999").text


@pytest.mark.parametrize(
    "query", ["role=wizard", "status=gone", "sort=password_hash", "page=abc", "page=-1", "page=²"]
)
def test_unknown_filter_values_are_ignored(client, as_ada, query):
    response = client.get("/admin/users?" + query)
    assert response.status_code == 200
    assert "3 people" in response.text


def test_live_search_swaps_only_the_table(client, as_ada):
    response = client.get("/admin/users?q=bo", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.text
    assert "<html" not in html and 'name="q"' not in html
    assert "1 person matches" in html and ">bob</a>" in html


def test_the_search_form_updates_the_address_for_back_and_share(client, as_ada):
    html = client.get("/admin/users").text
    form = html[html.index('class="filters"') :].split("</form>")[0]
    assert 'hx-push-url="true"' in form and 'hx-target="#people-table"' in form
    assert "delay:300ms" in form and 'method="get"' in html


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
    assert json.loads(message["data"]) == {"type": "session.ended", "keep": ""}
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
    assert "Welcome to MediaNest" in pats.get("/notifications/").text
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


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "cannot be negative"),
        ("abc", "Enter a whole number"),
        ("1.5", "Enter a whole number"),
        ("١٢", "Enter a whole number"),
        ("10001", "at most 10,000"),
        ("9" * 5000, "at most 10,000"),
    ],
)
def test_bad_quota_values_are_explained_and_nothing_is_saved(app, client, as_ada, value, message):
    response = client.post_form(
        f"/admin/users/{as_ada['bob']}/quotas", {"requests": "7", "downloads": value}
    )
    assert response.status_code == 400
    assert message in response.text
    assert 'id="quota-downloads" name="downloads"' in response.text
    assert 'aria-invalid="true"' in response.text
    bob = user(app, as_ada["bob"])
    assert (bob.quota_requests, bob.quota_downloads) == (None, None)


def test_quota_overrides_are_saved_and_blank_follows_the_default(app, client, as_ada):
    url = f"/admin/users/{as_ada['bob']}/quotas"
    response = client.post_form(url, {"requests": "0", "downloads": "10000"}, follow_redirects=True)
    assert "Quotas saved" in response.text
    assert 'value="0" placeholder="Default: 10"' in response.text
    bob = user(app, as_ada["bob"])
    assert (bob.quota_requests, bob.quota_downloads) == (0, 10000)
    client.post_form(url, {"requests": " ", "downloads": "3"})
    bob = user(app, as_ada["bob"])
    assert (bob.quota_requests, bob.quota_downloads) == (None, 3)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.quota_changed")
        ).all()
        assert events[-1].details == {
            "requests": {"old": 0, "new": "default"},
            "downloads": {"old": 10000, "new": 3},
        }


# Importing the people the owner shares the server with on plex.tv


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
