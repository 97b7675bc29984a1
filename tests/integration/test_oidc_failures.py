"""A single sign-on that goes wrong: a clear page, an audit record, no account."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Identity
from tests.integration import oidc_helpers
from tests.integration.oidc_helpers import (
    at_provider,
    audit_events,
    configure,
    local,
    people,
    sign_in,
    signed_in_as,
    start,
)

idp, owner, sso = oidc_helpers.idp, oidc_helpers.owner, oidc_helpers.sso  # the provider's fixtures


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
