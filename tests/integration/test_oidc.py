"""Single sign-on through a simulated OpenID Connect provider, and its admin page."""

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, Identity, Notification, Setting, User
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


# Failures: a clear page, an audit record, no account


FAILURES = [
    ("wrong_issuer", True, "issued by someone other than", "wrong_issuer"),
    ("expired_token", True, "has expired", "expired"),
    ("bad_signature", True, "signature does not match", "bad_signature"),
    ("missing_sub", True, "does not say who you are", "missing_sub"),
    ("wrong_audience", True, "issued for another application", "wrong_audience"),
    ("wrong_nonce", True, "nonce mismatch", "nonce_mismatch"),
    ("token_error", "invalid_grant", "would not complete the sign-in", "token_exchange"),
    ("auto_error", "access_denied", "did not sign you in", "provider_error"),
]


@pytest.mark.parametrize("switch, value, message, reason", FAILURES)
def test_each_failure_gets_a_clear_page_and_creates_no_one(
    app, client, sso, switch, value, message, reason
):
    setattr(sso.provider, switch, value)
    response = sign_in(client, sso)
    assert response.status_code == 400
    assert "Single sign-on didn't finish" in response.text and message in response.text
    assert "Try again" in response.text and "Traceback" not in response.text
    assert list(people(app)) == ["owner"]
    assert signed_in_as(client) is None
    failed = audit_events(app, "signin.failed")[-1]
    assert failed.details == {"method": "oidc", "reason": reason}
    with app.app_context():
        assert db.session.scalars(select(Identity)).all() == []


def test_a_wrong_client_secret_is_explained(app, client, sso):
    configure(app, sso, **{"oidc.client_secret": "not-the-secret"})
    response = sign_in(client, sso)
    assert response.status_code == 400 and "Check the client ID and secret" in response.text
    assert list(people(app)) == ["owner"]


def test_a_forged_callback_is_refused(app, client, sso):
    callback = at_provider(sso, _authorize_url_for_someone_else(client, sso))
    response = client.get(local(callback))
    assert response.status_code == 400 and "expired or was started in another" in response.text
    assert list(people(app)) == ["owner"]
    assert audit_events(app, "signin.failed")[-1].details["reason"] == "state_mismatch"


def _authorize_url_for_someone_else(client, sso) -> str:
    """An authorization started in another browser (an attacker's), with its own state."""
    other = client.application.test_client()
    return start(other)


def test_a_callback_without_state_is_refused(app, client, sso):
    callback = at_provider(sso, start(client))
    parts = urlsplit(callback)
    code = parse_qs(parts.query)["code"][0]
    response = client.get(f"{parts.path}?code={code}")
    assert response.status_code == 400
    assert list(people(app)) == ["owner"]
    assert audit_events(app, "signin.failed")[-1].details["reason"] == "state_mismatch"


def test_a_callback_cannot_be_used_twice(app, client, sso):
    callback = local(at_provider(sso, start(client)))
    assert client.get(callback).status_code == 302
    client.post_form("/logout", page="/")
    replay = client.get(callback)
    assert replay.status_code == 400 and signed_in_as(client) is None


def test_an_old_session_cookie_cannot_replay_a_used_state(app, client, sso):
    callback = local(at_provider(sso, start(client)))
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name).value
    assert client.get(callback).status_code == 302
    client.post_form("/logout", page="/")
    client.set_cookie(name, cookie)
    replay = client.get(callback)
    assert replay.status_code == 400 and "already used" in replay.text
    assert audit_events(app, "signin.failed")[-1].details["reason"] == "state_reused"
    assert signed_in_as(client) is None


def test_a_sign_in_started_in_two_tabs_finishes_in_either(client, sso):
    first = start(client)
    second = start(client)
    assert client.get(local(at_provider(sso, first))).status_code == 302
    client.post_form("/logout", page="/")
    assert client.get(local(at_provider(sso, second))).status_code == 302


def test_starting_while_switched_off_says_so(client, owner):
    response = client.post_form("/login/oidc", page="/login")
    assert response.status_code == 404 and "not switched on" in response.text


def test_starting_while_the_provider_is_down_says_so(app, client, sso):
    sso.provider.discovery_down = True
    response = client.post_form("/login/oidc", page="/login")
    assert response.status_code == 502 and "HTTP 503" in response.text


def test_starting_needs_the_csrf_token(client, sso):
    assert client.post("/login/oidc").status_code == 400


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
