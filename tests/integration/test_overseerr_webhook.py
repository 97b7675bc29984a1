"""Overseerr's webhook moves requests forward, only with the right secret, and never backwards."""

import json

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, MediaRequest, Setting
from app.requests import tasks
from simulators.overseerr_render import webhook_payload
from tests.conftest import Accounts
from tests.integration import overseerr_helpers as helpers
from tests.integration.overseerr_helpers import ask, deliver_now, person, view

sim, ov_app = helpers.sim, helpers.ov_app
SECRET = "Bearer 3f9d1c0e-webhook"


@pytest.fixture
def hooked(ov_app, sim, live_server):
    """Overseerr's webhook agent pointed at a running MediaNest with the shared secret."""
    Accounts(ov_app, None).owner()
    with ov_app.app_context():
        settings.put({"overseerr.webhook_auth": SECRET})
    sim.state.webhook_url = f"{live_server.url}/webhooks/overseerr"
    sim.state.webhook_auth = SECRET
    return ov_app


@pytest.fixture
def live_server(ov_app):
    from tests.conftest import LiveServer

    server = LiveServer(ov_app).start()
    yield server
    server.stop()


def post(client, payload, auth=SECRET):
    headers = {"Authorization": auth} if auth is not None else {}
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(
        "/webhooks/overseerr", data=body, headers=headers, content_type="application/json"
    )


def delivered(app, sim, tmdb_id=550, **kwargs):
    alice = person(app, sim, f"alice{tmdb_id}")
    request_id = ask(app, alice, tmdb_id, **kwargs)
    assert deliver_now(app) == ["done"]
    return request_id


def test_overseerr_approving_and_finishing_a_request_shows_here(hooked, sim):
    request_id = delivered(hooked, sim)
    (stored,) = sim.state.requests.values()
    sim.state.decide(sim.state.users[1], stored, "approve")
    from simulators.overseerr_render import notify_request

    notify_request(sim.state, stored, created=False, wait=True)
    assert view(hooked, request_id)["label"] == "Approved"
    assert sim.state.advance_media(550, "AVAILABLE") == [200]
    shown = view(hooked, request_id)
    assert shown["label"] == "Available"
    assert "Overseerr says it is available." in shown["history"]


def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(hooked, sim):
    request_id = delivered(hooked, sim)
    client = hooked.test_client()
    (stored,) = sim.state.requests.values()
    payload = webhook_payload(sim.state, "MEDIA_APPROVED", stored)
    for auth in (None, "", "Bearer wrong", SECRET + " "):
        response = post(client, payload, auth=auth)
        assert response.status_code == 401
        assert "Authorization" in response.get_data(as_text=True)
    assert view(hooked, request_id)["label"] == "Waiting for approval"


def test_no_secret_configured_refuses_everything(ov_app, sim):
    Accounts(ov_app, None).owner()
    response = post(ov_app.test_client(), {"notification_type": "TEST_NOTIFICATION"}, auth="")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", json.dumps({"event": "x"}), json.dumps({"notification_type": 5}), ""],
)
def test_a_malformed_body_is_400_in_plain_words(hooked, body):
    response = post(hooked.test_client(), body)
    assert response.status_code == 400
    assert "notification_type" in response.get_data(as_text=True)


def test_a_replay_and_an_out_of_order_notification_never_move_back(hooked, sim):
    request_id = delivered(hooked, sim)
    (stored,) = sim.state.requests.values()
    client = hooked.test_client()
    stored.media.status = 5
    available = webhook_payload(sim.state, "MEDIA_AVAILABLE", stored)
    approved = webhook_payload(sim.state, "MEDIA_APPROVED", stored)
    assert post(client, available).status_code == 200
    assert post(client, available).status_code == 200  # replayed
    assert post(client, approved).status_code == 200  # late
    shown = view(hooked, request_id)
    assert shown["label"] == "Available"
    assert shown["history"].count("Overseerr says it is available.") == 1


def test_availability_for_a_request_made_elsewhere_matches_by_tmdb_id(hooked, sim):
    request_id = delivered(hooked, sim, tmdb_id=1399, media_type="tv", seasons=[1])
    payload = webhook_payload(sim.state, "MEDIA_AVAILABLE", next(iter(sim.state.requests.values())))
    payload["request"]["request_id"] = "999"
    payload["media"]["status"] = "PARTIALLY_AVAILABLE"
    assert post(hooked.test_client(), payload).status_code == 200
    assert view(hooked, request_id)["label"] == "Partially available"


def test_a_declined_request_in_overseerr_is_declined_here(hooked, sim):
    request_id = delivered(hooked, sim)
    (stored,) = sim.state.requests.values()
    stored.status = 3
    post(hooked.test_client(), webhook_payload(sim.state, "MEDIA_DECLINED", stored))
    assert view(hooked, request_id)["label"] == "Declined"


def test_the_test_notification_is_remembered_and_unknown_types_ignored(hooked, sim):
    client = hooked.test_client()
    with hooked.app_context():
        audited = len(db.session.scalars(select(AuditEvent)).all())
    response = post(client, webhook_payload(sim.state, "TEST_NOTIFICATION", None))
    assert response.status_code == 200
    for kind in ("ISSUE_CREATED", "SOMETHING_NEW"):
        response = post(client, {"notification_type": kind, "media": None})
        assert response.status_code == 202
        assert "Ignored" in response.get_data(as_text=True)
    with hooked.app_context():
        assert db.session.get(Setting, "overseerr.webhook_test_at") is not None
        assert settings.get("overseerr.webhook_received_at")
        # Remembering a webhook is not a settings change an admin made.
        assert len(db.session.scalars(select(AuditEvent)).all()) == audited


def test_reconcile_poll_catches_up_on_what_no_webhook_told(ov_app, sim):
    request_id = delivered(ov_app, sim, tmdb_id=603)
    (stored,) = sim.state.requests.values()
    sim.state.decide(sim.state.users[1], stored, "approve")  # no webhook configured
    sim.state.set_media_status("movie", 603, 5)
    with ov_app.app_context():
        assert tasks.reconcile_requests() == 1  # approved, then available
        assert tasks.reconcile_requests() == 0  # final: not asked again
        req = db.session.get(MediaRequest, request_id)
        assert req.status == "available"
    assert "Overseerr says it is available." in view(ov_app, request_id)["history"]
