"""Single sign-on through a simulated OpenID Connect provider: accounts, names and roles."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Identity, Notification, User
from simulators import SimulatorServer
from simulators.oidc import OidcProvider, create_app
from tests.integration import oidc_helpers
from tests.integration.oidc_helpers import (
    CALLBACK,
    CLIENT_ID,
    SECRET,
    Idp,
    audit_events,
    configure,
    people,
    sign_in,
    signed_in_as,
    start,
)

idp, owner, sso = oidc_helpers.idp, oidc_helpers.owner, oidc_helpers.sso  # the provider's fixtures


# Signing in


def test_the_browser_goes_to_the_provider_with_pkce_state_and_nonce(client, sso):
    location = start(client)
    assert location.startswith(sso.issuer + "/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "groups"}
    assert len(query["state"][0]) >= 40 and len(query["nonce"][0]) >= 40
    assert query["state"] != query["nonce"]


def test_first_sign_in_creates_an_account_linked_by_issuer_and_subject(app, client, sso):
    response = sign_in(client, sso)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "alice" in signed_in_as(client)
    alice = people(app)["alice"]
    assert alice.email == "alice@example.com" and alice.role == "user" and not alice.pending
    assert alice.password_hash is None
    with app.app_context():
        identity = db.session.scalars(select(Identity)).one()
        assert (identity.provider, identity.issuer, identity.subject) == (
            "oidc",
            sso.issuer,
            "sub-alice",
        )
        assert identity.user_id == alice.id
    success = audit_events(app, "signin.success")[-1]
    assert success.details == {"method": "oidc"} and success.actor_name == "alice"
    token_request = sso.provider.token_requests[-1]
    assert token_request["basic"] and len(token_request["form"]["code_verifier"]) >= 43


def test_the_second_sign_in_reuses_the_account_and_refreshes_the_email(app, client, sso):
    sign_in(client, sso)
    client.post_form("/logout", page="/")
    sso.provider.users["alice"].email = "alice@new.example"
    assert sign_in(client, sso).status_code == 302
    everyone = people(app)
    assert sorted(everyone) == ["alice", "owner"]
    assert everyone["alice"].email == "alice@new.example"
    with app.app_context():
        assert len(db.session.scalars(select(Identity)).all()) == 1


def test_accounts_are_never_matched_by_email(app, client, auth, sso):
    auth.create("carol")
    with app.app_context():
        carol = db.session.scalars(select(User).where(User.username == "carol")).one()
        carol.email = "alice@example.com"
        db.session.commit()
    sign_in(client, sso)
    everyone = people(app)
    assert sorted(everyone) == ["alice", "carol", "owner"]
    with app.app_context():
        assert db.session.scalars(select(Identity)).one().user_id == everyone["alice"].id


def test_a_taken_username_gets_a_suffix(app, client, auth, sso):
    auth.create("Alice")
    sign_in(client, sso)
    assert "alice-2" in people(app)


@pytest.mark.parametrize(
    "claims, expected",
    [
        ({"preferred_username": None, "email": "dora.m@example.com"}, "dora.m"),
        ({"preferred_username": None, "email": None}, "user"),
    ],
)
def test_the_username_falls_back_to_the_email_then_user(app, client, sso, claims, expected):
    sso.provider.add_user("dora", sub="sub-dora")
    for name, value in claims.items():
        setattr(sso.provider.users["dora"], name, value)
    assert sign_in(client, sso, "dora").status_code == 302
    assert expected in people(app)


def test_the_same_subject_at_another_issuer_is_another_person(app, client, sso):
    other = OidcProvider()
    other.add_client(CLIENT_ID, SECRET, [CALLBACK])
    other.add_user("alice", sub="sub-alice", email="alice@elsewhere.example")
    sign_in(client, sso)
    client.post_form("/logout", page="/")
    with SimulatorServer(create_app(other)) as server:
        second = Idp(other, server.url)
        configure(app, second)  # settings change while the app runs: the next sign-in follows
        assert sign_in(client, second).status_code == 302
    assert sorted(people(app)) == ["alice", "alice-2", "owner"]
    with app.app_context():
        issuers = sorted(i.issuer for i in db.session.scalars(select(Identity)))
    assert issuers == sorted([sso.issuer, second.issuer])


def test_a_safe_next_page_follows_the_sign_in(client, sso):
    response = sign_in(client, sso, next_url="/notifications/")
    assert response.headers["Location"] == "/notifications/"


def test_an_unsafe_next_page_is_ignored(client, sso):
    response = sign_in(client, sso, next_url="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_the_admin_claim_makes_an_admin(app, client, sso):
    configure(app, sso, **{"oidc.admin_value": "medianest-admins"})
    sign_in(client, sso, "bob")
    assert people(app)["bob"].role == "admin"
    assert client.get("/admin/oidc").status_code == 200


def test_a_string_claim_equal_to_the_value_makes_an_admin(app, client, sso):
    configure(app, sso, **{"oidc.admin_claim": "role", "oidc.admin_value": "boss"})
    sso.provider.users["alice"].extra = {"role": "boss"}
    sign_in(client, sso)
    assert people(app)["alice"].role == "admin"


def test_without_the_claim_a_person_is_a_user(app, client, sso):
    configure(app, sso, **{"oidc.admin_value": "medianest-admins"})
    sign_in(client, sso, "alice")
    assert people(app)["alice"].role == "user"


def test_losing_the_admin_claim_does_not_demote(app, client, sso):
    configure(app, sso, **{"oidc.admin_value": "medianest-admins"})
    sign_in(client, sso, "bob")
    client.post_form("/logout", page="/")
    sso.provider.users["bob"].groups = ["friends"]
    sign_in(client, sso, "bob")
    assert people(app)["bob"].role == "admin"


def test_an_existing_user_gaining_the_claim_is_promoted_and_audited(app, client, sso):
    sign_in(client, sso, "bob")
    client.post_form("/logout", page="/")
    configure(app, sso, **{"oidc.admin_value": "medianest-admins"})
    sign_in(client, sso, "bob")
    assert people(app)["bob"].role == "admin"
    change = audit_events(app, "user.role_changed")[-1]
    assert change.target == "bob" and change.details["new"] == "admin"


def test_claims_only_in_userinfo_are_used(app, client, sso):
    configure(app, sso, **{"oidc.admin_value": "medianest-admins"})
    sso.provider.claims_in_userinfo_only = True
    sign_in(client, sso, "bob")
    bob = people(app)["bob"]
    assert bob.email == "bob@example.com" and bob.role == "admin"


def test_a_public_client_signs_in_with_pkce_alone(app, client, sso):
    sso.provider.add_client("public-app", None, [CALLBACK])
    configure(app, sso, **{"oidc.client_id": "public-app", "oidc.client_secret": ""})
    assert sign_in(client, sso).status_code == 302
    token_request = sso.provider.token_requests[-1]
    assert not token_request["basic"] and "client_secret" not in token_request["form"]


def test_approval_required_shows_the_waiting_page_and_tells_admins(app, client, sso, owner):
    configure(app, sso, **{"signup.approval_required": True})
    response = sign_in(client, sso)
    assert response.status_code == 403 and "Waiting for approval" in response.text
    assert signed_in_as(client) is None
    assert people(app)["alice"].pending
    with app.app_context():
        note = db.session.scalars(select(Notification)).one()
        assert note.user_id == owner and "alice" in note.title
    again = sign_in(client, sso)
    assert again.status_code == 403
    with app.app_context():
        assert len(db.session.scalars(select(Notification)).all()) == 1


def test_the_default_role_applies_to_new_accounts(app, client, sso):
    configure(app, sso, **{"signup.default_role": "admin"})
    sign_in(client, sso)
    assert people(app)["alice"].role == "admin"


def test_a_disabled_account_is_refused(app, client, sso):
    sign_in(client, sso)
    client.post_form("/logout", page="/")
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "alice")).one().disabled = True
        db.session.commit()
    response = sign_in(client, sso)
    assert response.status_code == 403 and "disabled" in response.text
    assert signed_in_as(client) is None
    assert audit_events(app)[-1].action == "signin.refused"
