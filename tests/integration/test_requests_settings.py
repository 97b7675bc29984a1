"""Admin → Requests: Overseerr's address and key, a connection test, the webhook secret, matches."""

import pytest
from sqlalchemy import select

from app import settings
from app.admin.requests_settings_services import provision_from_environment
from app.extensions import db
from app.models import AuditEvent
from tests.conftest import PASSWORD, Accounts
from tests.integration import overseerr_helpers as helpers
from tests.integration.overseerr_helpers import link_of, person

sim, ov_app = helpers.sim, helpers.ov_app
PAGE = "/admin/requests/settings"
FORM = {
    "url": "",
    "movie_limit": "5",
    "movie_days": "7",
    "season_limit": "10",
    "season_days": "7",
    "auto_approve_admin": "1",
}


@pytest.fixture
def admin(ov_app):
    client = ov_app.test_client()
    accounts = Accounts(ov_app, client)
    accounts.owner()
    assert accounts.login().status_code == 302
    return client


def actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_page_shows_the_setup_without_the_stored_key(admin, sim):
    html = admin.get(PAGE).get_data(as_text=True)
    assert sim.url in html
    assert sim.state.api_key not in html
    assert "•••••• stored" in html
    assert "/webhooks/overseerr" in html
    assert 'href="/admin/requests/settings"' in html  # in the admin navigation


@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_only_admins_reach_the_page(ov_app, who):
    client = ov_app.test_client()
    accounts = Accounts(ov_app, client)
    accounts.owner()
    if who == "user":
        accounts.create("friend")
        accounts.login("friend", PASSWORD)
    for method, path in (("get", PAGE), ("post", PAGE), ("post", PAGE + "/matches")):
        response = getattr(client, method)(path)
        assert response.status_code in (302, 400, 403), (method, path)
    with ov_app.app_context():
        assert settings.get("overseerr.url")  # nothing changed


def test_saving_checks_each_field_and_keeps_the_key_when_left_blank(admin, ov_app, sim):
    bad = {**FORM, "url": "overseerr:5055", "movie_limit": "lots", "season_days": "0"}
    response = admin.post_form(PAGE, bad, page=PAGE)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter Overseerr&#39;s address with http://" in html
    assert html.count("Enter a whole number") == 2
    good = {**FORM, "url": "http://overseerr.lan:5055/", "movie_limit": "3", "tmdb_key": "t" * 32}
    assert admin.post_form(PAGE, good, page=PAGE).status_code == 302
    with ov_app.app_context():
        assert settings.get("overseerr.url") == "http://overseerr.lan:5055"
        assert settings.get("overseerr.api_key") == sim.state.api_key
        assert settings.get("requests.movie_limit") == 3
        assert settings.get("requests.auto_approve_user") is False
        assert settings.get("tmdb.api_key") == "t" * 32
    assert "settings.changed" in actions(ov_app)


def test_test_connection_shows_the_version_and_whose_key_it_is(admin, ov_app, sim):
    html = admin.post_form(PAGE + "/test", page=PAGE).get_data(as_text=True)
    assert "Connected to Overseerr 1.34.0." in html
    assert "The key is an admin&#39;s" in html
    sim.state.revoke_key()
    html = admin.post_form(PAGE + "/test", page=PAGE).get_data(as_text=True)
    assert "refused MediaNest&#39;s API key" in html
    assert actions(ov_app).count("overseerr.tested") == 2


def test_a_webhook_secret_is_made_shown_and_audited(admin, ov_app):
    response = admin.post_form(PAGE + "/webhook", page=PAGE)
    assert response.status_code == 302
    with ov_app.app_context():
        value = settings.get("overseerr.webhook_auth")
    assert value.startswith("Bearer ") and len(value) > 40
    assert value in admin.get(PAGE).get_data(as_text=True)
    assert "overseerr.webhook_generated" in actions(ov_app)


def test_import_matches_shows_who_matched_and_who_did_not(admin, ov_app, sim):
    alice = person(ov_app, sim, "alice")
    person(ov_app, sim, "carol", in_overseerr=False)
    html = admin.post_form(PAGE + "/matches", page=PAGE).get_data(as_text=True)
    assert "<strong>alice</strong> is <span>alice</span> in Overseerr" in html
    assert "<strong>carol</strong>: no Overseerr user with their Plex account" in html
    assert link_of(ov_app, alice) is not None
    assert "overseerr.matches_imported" in actions(ov_app)


def test_import_matches_when_overseerr_is_away_says_so(admin, sim):
    sim.go_away()
    response = admin.post_form(PAGE + "/matches", page=PAGE)
    assert response.status_code == 502
    assert "Overseerr could not be reached" in response.get_data(as_text=True)


def test_the_environment_seeds_the_settings(make_app):
    app = make_app(
        OVERSEERR_URL="http://overseerr:5055/",
        OVERSEERR_API_KEY="env-key",
        OVERSEERR_WEBHOOK_AUTH="Bearer env",
        TMDB_API_KEY="tmdb-env",
    )
    with app.app_context():
        provision_from_environment()
        assert settings.get("overseerr.url") == "http://overseerr:5055"
        assert settings.get("overseerr.api_key") == "env-key"
        assert settings.get("overseerr.webhook_auth") == "Bearer env"
        assert settings.get("tmdb.api_key") == "tmdb-env"
