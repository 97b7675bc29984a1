"""CSRF, headers, cookies, who may see what, and template hygiene."""

import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def people(auth):
    auth.owner()
    auth.create("friend")
    return auth


def test_a_form_post_without_csrf_token_gets_a_plain_400_page(client, people):
    response = client.post("/login", data={"username": "owner", "password": PASSWORD})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "expired" in text and "Traceback" not in text


def test_an_htmx_post_without_csrf_header_is_refused_as_a_toast(client, people):
    people.login()
    response = client.post("/notifications/read-all", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "toast" in response.get_data(as_text=True)


def test_an_htmx_post_with_the_csrf_header_passes(client, people):
    people.login()
    assert client.htmx_post("/notifications/read-all").status_code == 200


def test_security_headers_on_every_page(client, people):
    for path in ("/login", "/health", "/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client, people):
    response = people.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app, people):
    secure = app.test_client()
    secure.get("/login", base_url="https://localhost")
    response = secure.post(
        "/login",
        base_url="https://localhost",
        data={"csrf_token": secure.last_token, "username": "owner", "password": PASSWORD},
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_behind_a_trusted_proxy_https_is_recognised(make_app, services):
    from tests.conftest import Accounts

    app = make_app(TRUSTED_PROXIES=1)
    client = app.test_client()
    Accounts(app, client).owner()
    headers = {"X-Forwarded-Proto": "https"}
    client.get("/login", headers=headers)
    response = client.post(
        "/login",
        headers=headers,
        data={"csrf_token": client.last_token, "username": "owner", "password": PASSWORD},
    )
    assert "Secure" in response.headers["Set-Cookie"]


PAGES = [
    "/",
    "/notifications/",
    "/account",
    "/account/password",
    "/admin/health",
    "/admin/users/invites",
]
ADMIN_ONLY = {"/admin/health", "/admin/users/invites"}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "friend", "owner"])
def test_access_matrix(client, people, path, who):
    if who != "anonymous":
        people.login(who)
    response = client.get(path)
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif who == "friend" and path in ADMIN_ONLY:
        assert response.status_code == 403
        assert "Not allowed" in response.get_data(as_text=True)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("friend", 403), ("owner", 200)])
def test_only_admins_may_ask_for_a_check(client, people, who, expected):
    if who != "anonymous":
        people.login(who)
    token = client.token("/login" if who == "anonymous" else "/")
    headers = {"X-CSRFToken": token}
    if who == "owner":
        headers["HX-Request"] = "true"  # the card's button; a plain form post is sent back home
    response = client.post("/dashboard/status/check", headers=headers)
    assert response.status_code == expected


def test_friends_do_not_see_admin_controls(client, people):
    people.login("friend")
    html = client.get("/").get_data(as_text=True)
    assert "Check now" not in html and 'href="/admin/' not in html


@pytest.mark.parametrize(
    "method, path, code, words",
    [
        ("get", "/does-not-exist", 404, "Not found"),
        ("put", "/login", 405, "accept that kind of request"),
        ("get", "/notifications/?page=abc", 200, "Notifications"),
        ("get", "/notifications/?page=²", 200, "Notifications"),
    ],
)
def test_error_pages_are_plain_words(client, people, method, path, code, words):
    people.login()
    response = getattr(client, method)(path)
    assert response.status_code == code
    text = response.get_data(as_text=True)
    assert words in text and "Traceback" not in text


def test_too_large_a_request_is_a_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"username": "x" * 5000})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_500_page_without_details(make_app):
    from tests.conftest import Accounts

    app = make_app()
    Accounts(app, None).owner()

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text and "secret internals" not in text


def test_templates_have_no_inline_script_style_or_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
            offenders.append(f"{path.name}: inline <script>")
        # An email's HTML is read by mail clients, never served under the CSP: it must carry
        # its styles inline. Scripts and handlers are refused there too.
        is_email = path.name.endswith("_email.html") and not path.name.startswith("_")
        if not is_email and (re.search(r"\sstyle=", html) or "<style" in html):
            offenders.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+=", html) or "hx-on" in html:
            offenders.append(f"{path.name}: inline event handler")
    assert offenders == []


@pytest.mark.parametrize("remember, lasting", [(True, True), (False, False)])
def test_keep_me_signed_in_makes_the_one_session_cookie_last(client, people, remember, lasting):
    form = {"username": "owner", "password": PASSWORD}
    if remember:
        form["remember"] = "y"
    response = client.post_form("/login", form)
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("medianest_session=")
    assert ("Expires=" in cookies[0]) is lasting
