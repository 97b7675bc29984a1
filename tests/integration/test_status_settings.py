"""Admin → Status settings: Kuma's status page, the check interval, and who sees which monitor."""

import pytest
from markupsafe import escape
from sqlalchemy import select

from app import settings
from app.admin.status_settings_services import provision_from_environment
from app.extensions import db
from app.models import AuditEvent
from app.models.health import UP, ServiceState
from simulators.uptime_kuma import KumaSimulator, demo_state
from tests.conftest import PASSWORD, Accounts

PAGE = "/admin/status"


@pytest.fixture
def kuma():
    with KumaSimulator(demo_state()) as sim:
        yield sim


@pytest.fixture
def admin(app):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    assert accounts.login().status_code == 302
    return client


def form(**fields) -> dict:
    return {"url": "", "slug": "", "interval": "", **fields}


def stored(app) -> dict:
    with app.app_context():
        return {
            key: settings.get(key)
            for key in ("kuma.url", "kuma.slug", "kuma.metrics_key", "health.interval")
        } | {"public": settings.get("kuma.public_monitors")}


def monitor_rows(app, *ids):
    with app.app_context():
        for ident in ids:
            db.session.add(
                ServiceState(
                    key=f"kuma:{ident}",
                    kind="monitor",
                    label=f"Monitor {ident}",
                    state=UP,
                    info={"group": "Media"},
                )
            )
        db.session.commit()


def publics(app) -> dict:
    with app.app_context():
        rows = db.session.scalars(select(ServiceState).where(ServiceState.kind == "monitor"))
        return {row.key: row.public for row in rows}


@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_only_admins_reach_the_page(app, who):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    if who == "user":
        accounts.create("friend")
        accounts.login("friend", PASSWORD)
    for method, path in (("get", PAGE), ("post", PAGE), ("post", PAGE + "/test")):
        response = getattr(client, method)(path)
        if who == "anonymous" and method == "get":
            assert response.status_code == 302 and "/login" in response.location
        else:
            assert response.status_code in (302, 400, 403), (method, path)
    if who == "user":
        assert client.get(PAGE).status_code == 403
        data = {"csrf_token": client.token("/"), **form(url="http://kuma:3001", slug="home")}
        assert client.post(PAGE, data=data).status_code == 403
    assert stored(app)["kuma.url"] == ""


def test_the_page_is_in_the_admin_navigation_and_shows_the_default_interval(admin, app):
    html = admin.get(PAGE).get_data(as_text=True)
    assert f'href="{PAGE}"' in html and "Status settings" in html
    assert "Checks now run every 60 s" in html
    assert "No monitors yet" in html


def test_saving_stores_everything_audited_and_keeps_the_key_secret(admin, app):
    data = form(
        url="http://kuma.lan:3001/", slug="home-lab", interval="120", metrics_key="uk1_s3cret"
    )
    assert admin.post_form(PAGE, data, page=PAGE).status_code == 302
    assert stored(app) == {
        "kuma.url": "http://kuma.lan:3001",
        "kuma.slug": "home-lab",
        "kuma.metrics_key": "uk1_s3cret",
        "health.interval": 120,
        "public": "",
    }
    html = admin.get(PAGE).get_data(as_text=True)
    assert "uk1_s3cret" not in html and "•••••• stored" in html
    assert "Checks now run every 120 s" in html
    # Left blank, the key is kept; an empty interval goes back to the default.
    data = form(url="http://kuma.lan:3001", slug="home-lab", interval="")
    assert admin.post_form(PAGE, data, page=PAGE).status_code == 302
    assert stored(app)["kuma.metrics_key"] == "uk1_s3cret"
    assert stored(app)["health.interval"] == 0
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.changed")
        )
        details = [e.details for e in events]
    assert len(details) == 2
    assert details[0]["kuma.metrics_key"] == {"old": "", "new": "••••••"}
    assert "uk1_s3cret" not in str(details)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("url", "ftp://kuma.lan", "with http:// or https://"),
        ("url", "kuma.lan:3001", "with http:// or https://"),
        ("url", "http://admin:pw@kuma.lan:3001", "Leave the user name and password out"),
        ("url", "http://kuma.lan:99999", "port that is not a number"),
        ("slug", "Home", "lowercase letters, digits and dashes"),
        ("slug", "home page", "lowercase letters, digits and dashes"),
        ("slug", "a" * 65, "lowercase letters, digits and dashes"),
        ("slug", "../api", "lowercase letters, digits and dashes"),
        ("interval", "5", "from 15 to 3600"),
        ("interval", "3601", "from 15 to 3600"),
        ("interval", "1e3", "from 15 to 3600"),
        ("interval", "-60", "from 15 to 3600"),
        ("public", "abc", "not Uptime Kuma monitors"),
        ("public", str(2**63), "not Uptime Kuma monitors"),
        ("public", "-3", "not Uptime Kuma monitors"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(admin, app, field, value, words):
    data = {**form(url="http://kuma.lan:3001", slug="home", interval="90"), field: value}
    response = admin.post_form(PAGE, data, page=PAGE)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and str(escape(words)) in html
    assert stored(app) == {
        "kuma.url": "",
        "kuma.slug": "",
        "kuma.metrics_key": "",
        "health.interval": 0,
        "public": "",
    }


def test_test_connection_says_what_it_found_and_lists_the_monitors(admin, app, kuma):
    data = form(url=kuma.url, slug="home")
    html = admin.post_form(PAGE + "/test", data, page=PAGE).get_data(as_text=True)
    assert "Status page &#39;Home&#39; with 6 monitors in 2 groups." in html
    assert "1 incident posted. 1 maintenance posted." in html
    for name in ("Plex", "Overseerr", "Router", "Internet", "NAS", "Backups"):
        assert f"<strong>{name}</strong>" in html
    assert html.count('name="public"') == 6 and "checked" not in html  # none by default
    assert stored(app)["kuma.url"] == ""  # a test saves nothing


def test_test_connection_checks_the_metrics_key(admin, kuma):
    data = form(url=kuma.url, slug="home", metrics_key=kuma.state.api_key)
    html = admin.post_form(PAGE + "/test", data, page=PAGE).get_data(as_text=True)
    assert "The metrics key works." in html
    data["metrics_key"] = "uk1_wrong"
    html = admin.post_form(PAGE + "/test", data, page=PAGE).get_data(as_text=True)
    assert "refused the metrics API key" in html


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"slug": "nope"}, "No status page called nope"),
        ({"down": True}, "HTTP 503"),
        ({"garbage": "html"}, "web page, not Kuma"),
        ({"go_away": True}, "could not be reached"),
    ],
)
def test_test_connection_says_why_not(admin, kuma, change, words):
    if change.get("down"):
        kuma.state.down = True
    if change.get("garbage"):
        kuma.state.garbage = change["garbage"]
    if change.get("go_away"):
        kuma.go_away()
    data = form(url=kuma.url, slug=change.get("slug", "home"))
    html = admin.post_form(PAGE + "/test", data, page=PAGE).get_data(as_text=True)
    assert "Not connected" in html and str(escape(words)) in html


def test_choosing_monitors_for_everyone_applies_to_their_cards_at_once(admin, app):
    monitor_rows(app, 1, 2, 3)
    html = admin.get(PAGE).get_data(as_text=True)
    assert html.count('name="public"') == 3
    data = {**form(), "public": ["1", "3"]}
    assert admin.post_form(PAGE, data, page=PAGE).status_code == 302
    assert stored(app)["public"] == "1,3"
    assert publics(app) == {"kuma:1": True, "kuma:2": False, "kuma:3": True}
    html = admin.get(PAGE).get_data(as_text=True)
    assert html.count("checked") == 2
    assert admin.post_form(PAGE, form(), page=PAGE).status_code == 302  # none ticked
    assert publics(app) == {"kuma:1": False, "kuma:2": False, "kuma:3": False}


def test_the_environment_seeds_kuma(make_app):
    app = make_app(UPTIME_KUMA_URL="http://kuma:3001/", UPTIME_KUMA_SLUG="home")
    with app.app_context():
        assert provision_from_environment() == ["kuma.url", "kuma.slug"]
        assert settings.get("kuma.url") == "http://kuma:3001"
    bad = make_app(UPTIME_KUMA_URL="http://u:p@kuma:3001", UPTIME_KUMA_SLUG="Not A Slug")
    with bad.app_context():
        assert provision_from_environment() == []
