"""First-run setup: the owner account, exactly once."""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


def test_every_page_sends_to_setup_until_an_owner_exists(client):
    for path in ("/", "/notifications/", "/admin/health", "/login"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/setup")


def test_health_answers_before_setup(client):
    assert client.get("/health").status_code == 200


def test_setup_creates_the_owner_and_signs_them_in(client, app):
    response = client.post_form(
        "/setup",
        {"username": "Ada", "password": PASSWORD, "confirm": PASSWORD},
        page="/setup",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Welcome, Ada" in response.get_data(as_text=True)
    with app.app_context():
        owner = db.session.scalars(select(User)).one()
        assert owner.is_owner and owner.is_admin
        assert owner.password_hash != PASSWORD and owner.check_password(PASSWORD)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"username": "Ada", "password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"username": "Ada", "password": PASSWORD, "confirm": PASSWORD + "x"}, "passwords differ"),
        ({"username": "a", "password": PASSWORD, "confirm": PASSWORD}, "3 to 32 characters"),
        ({"username": "<b>x</b>", "password": PASSWORD, "confirm": PASSWORD}, "Use letters"),
        ({"username": "", "password": "", "confirm": ""}, "Choose a username"),
    ],
)
def test_setup_explains_bad_input_beside_the_field(client, app, form, message):
    response = client.post_form("/setup", form, page="/setup")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_setup_once_done_sends_a_visitor_to_sign_in(client, auth, app):
    auth.owner()
    response = client.get("/setup")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "MediaNest is already set up. Sign in to carry on." in page

    response = client.post_form(
        "/setup", {"username": "mallory", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_setup_once_done_sends_a_signed_in_person_to_the_dashboard(client, signed_in_owner):
    response = client.get("/setup")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_racing_setup_posts_create_one_owner(make_app):
    app = make_app()
    clients = [app.test_client() for _ in range(6)]
    tokens = [c.token("/setup") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def submit(index):
        barrier.wait()
        response = clients[index].post(
            "/setup",
            data={
                "csrf_token": tokens[index],
                "username": f"owner{index}",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        statuses.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
    # The winner is signed in and lands on the dashboard; the others are sent to sign in.
    assert all(code == 302 for code, _ in statuses)
    assert [where for _, where in statuses].count("/") == 1
    assert sorted(where for _, where in statuses)[1:] == ["/login"] * (len(clients) - 1)


def test_the_browser_icon_answers_before_setup(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/static/img/icon.svg")
