"""Hostile input gets a 4xx and a plain answer on every route: huge ids, files as text, bad JSON."""

import io
import json
import re
from pathlib import Path

import pytest
from rq import Queue
from sqlalchemy import func, select

from app.auth import forms
from app.extensions import db, redis_conn
from app.library import services as library_services
from app.models import User
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HOSTILE_IDS = ["9223372036854775808", "18446744073709551616", "-1", "abc", "١٢٣", "²", "1e3"]
# Fields as the browser names them: every name="…" in the templates, and the Flask-WTF forms'.
FORM_FIELDS = {
    "payload",
    "requests",
    "downloads",
    *(re.findall(r'name="([a-z_]+)"', "".join(p.read_text() for p in TEMPLATES.rglob("*.html")))),
    *(
        name
        for form in (forms.LoginForm, forms.SetupForm, forms.PasswordForm)
        for name, value in vars(form).items()
        if hasattr(value, "field_class")
    ),
} - {"csrf_token"}
# Setup is reached only before an owner exists and the sign-in page only before signing in:
# both are tested on their own below.
TESTED_APART = {"setup.index", "auth.login"}


def rules_with_arguments(app):
    return [r for r in app.url_map.iter_rules() if r.arguments and r.endpoint != "static"]


def with_values(rule, value: str) -> str:
    return re.sub(r"<[^>]+>", value, rule.rule)


@pytest.fixture
def owner_client(client, auth):
    auth.owner()
    auth.create("friend")
    auth.login()
    return client


def test_every_route_answers_4xx_to_ids_past_2_63_and_non_digits(app, owner_client):
    token = owner_client.token("/")
    checked = 0
    for rule in rules_with_arguments(app):
        for value in HOSTILE_IDS:
            url = with_values(rule, value)
            for method in {"GET", "POST"} & rule.methods:
                if method == "GET":
                    response = owner_client.get(url)
                else:
                    response = owner_client.post(url, data={"csrf_token": token})
                assert 400 <= response.status_code < 500, (method, url, response.status_code)
                assert "Traceback" not in response.text
                checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/library/item/9223372036854775808"),
        ("POST", "/notifications/9223372036854775808/read"),
        ("POST", "/admin/library/9223372036854775808/hidden"),
        ("GET", "/admin/users/18446744073709551616"),
    ],
)
def test_the_ids_the_probe_found_are_a_plain_404(owner_client, method, url):
    data = {"csrf_token": owner_client.token("/")} if method == "POST" else None
    response = owner_client.open(url, method=method, data=data)
    assert response.status_code == 404 and "There is nothing at this address" in response.text


def post_routes(app):
    return [
        r
        for r in app.url_map.iter_rules()
        if "POST" in r.methods and r.endpoint not in TESTED_APART
    ]


def test_every_post_route_refuses_a_file_in_any_field(app, owner_client):
    friend = owner_client.application  # the same app; ids of real rows make views reachable
    with friend.app_context():
        friend_id = db.session.scalars(select(User.id).where(User.username == "friend")).one()
    checked = 0
    for rule in post_routes(app):
        url = re.sub(r"<int:[^>]+>", str(friend_id), rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for name in sorted(FORM_FIELDS):
            token = owner_client.token("/")
            data = {"csrf_token": token, name: (io.BytesIO(b"\x00\xff not text"), "evil.bin")}
            response = owner_client.post(url, data=data, content_type="multipart/form-data")
            assert 400 <= response.status_code < 500, (url, name, response.status_code)
            assert "Traceback" not in response.text
            checked += 1
    assert checked > 200
    assert owner_client.get("/").status_code == 200, "the owner is still signed in"


def test_a_file_in_a_field_the_sign_in_form_does_not_have_is_a_400(client, auth):
    auth.owner()
    data = {"csrf_token": client.token("/login"), "username": "owner", "password": PASSWORD}
    data["avatar"] = (io.BytesIO(b"GIF89a"), "a.gif")
    response = client.post("/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "takes text only" in response.text
    assert client.get("/").status_code == 302, "not signed in"


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_file_as_the_username_or_password_shows_the_form_again(client, auth, field):
    auth.owner()
    data = {"csrf_token": client.token("/login"), "username": "owner", "password": PASSWORD}
    data[field] = (io.BytesIO(b"owner"), "name.txt")
    response = client.post("/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "This takes text, not a file." in response.text and 'id="username"' in response.text
    assert client.get("/").status_code == 302, "not signed in"


def test_a_file_as_the_new_password_shows_the_form_again(client, auth):
    auth.owner()
    auth.login()
    data = {
        "csrf_token": client.token("/account/password"),
        "current": PASSWORD,
        "password": (io.BytesIO(b"a new long password"), "p.txt"),
        "confirm": "a new long password",
    }
    response = client.post("/account/password", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "This takes text, not a file." in response.text
    assert auth.login(client=client.application.test_client()).status_code == 302


def test_a_file_in_the_setup_form_creates_no_owner(app, client):
    data = {
        "csrf_token": client.token("/setup"),
        "username": (io.BytesIO(b"ada"), "u.txt"),
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    response = client.post("/setup", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "This takes text, not a file." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    "body", ['{"username": {"a": 1}, "password": [1, 2]}', "[" * 5000, '"owner"', "null"]
)
def test_a_json_body_to_the_login_is_a_plain_400(client, auth, body):
    auth.owner()
    headers = {"X-CSRFToken": client.token("/login"), "Content-Type": "application/json"}
    response = client.post("/login", data=body, headers=headers)
    assert response.status_code == 400 and "Traceback" not in response.text


@pytest.fixture
def webhook(app, auth):
    auth.owner()
    with app.app_context():
        secret = library_services.webhook_secret()
    client = app.test_client()

    def post(payload, **files):
        data = {"payload": payload, **files}
        return client.post(
            f"/webhooks/plex/{secret}", data=data, content_type="multipart/form-data"
        )

    return post


def queued_jobs(app) -> int:
    with app.app_context():
        return Queue("default", connection=redis_conn()).count


@pytest.mark.parametrize(
    "payload",
    [
        "[" * 100_000,
        "{" * 50 + "}" * 50,
        '{"event":"library.new","Metadata":{"librarySectionID":"²"}}',
        '{"event":"library.new","Metadata":{"librarySectionID":"١٢٣"}}',
        '{"event":"library.new","Metadata":{"librarySectionID":"99999999999999999999999"}}',
        '{"event":"library.new","Metadata":{"librarySectionID":true}}',
        '{"event":"library.new","Metadata":[1]}',
        '["event"]',
        '"x" ' * 10,
        '{"event": "library.new", "pad": "' + "x" * 300_000 + '"}',
    ],
)
def test_a_hostile_webhook_with_the_right_secret_is_a_400_and_queues_nothing(app, webhook, payload):
    response = webhook(payload)
    assert response.status_code in (400, 413) and response.mimetype in ("text/plain", "text/html")
    assert "Traceback" not in response.text
    assert queued_jobs(app) == 0


def test_plex_webhooks_with_their_thumbnail_are_taken(app, webhook):
    payload = json.dumps({"event": "library.new", "Metadata": {"librarySectionID": "2"}})
    response = webhook(payload, thumb=(io.BytesIO(b"\xff\xd8\xff jpeg"), "thumb.jpg"))
    assert response.status_code == 202 and queued_jobs(app) == 1


def test_a_webhook_payload_sent_as_a_file_is_a_400(app, webhook):
    payload = json.dumps({"event": "library.new", "Metadata": {"librarySectionID": "2"}})
    response = webhook((io.BytesIO(payload.encode()), "payload.json"))
    assert response.status_code == 400 and queued_jobs(app) == 0
