"""The dashboard served from a per-session copy: never older than the database, never anyone
else's, and never past a sign-out."""

from redis import Redis
from sqlalchemy import event, text, update

from app import page_cache
from app.extensions import db
from app.models import MediaRequest, User
from tests.conftest import PASSWORD


def cookie_of(client) -> str:
    return client.get_cookie("medianest_session").value


def replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("medianest_session", cookie)
    return thief


def statements_during(app, action) -> int:
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_second_view_reads_nothing_from_the_database(app, client, auth):
    auth.owner()
    auth.create("alice")
    auth.login("alice")
    assert statements_during(app, lambda: client.get("/")) > 0
    assert statements_during(app, lambda: client.get("/")) == 0
    assert statements_during(app, lambda: client.get("/?page=2")) > 0  # another address


def test_a_request_written_elsewhere_shows_on_the_next_view(app, client, auth):
    auth.owner()
    alice = auth.create("alice")
    auth.login("alice")
    assert "Dune" not in client.get("/").text
    assert "Dune" not in client.get("/").text  # now from the copy
    with app.app_context():  # as a worker would: another connection, another transaction
        db.session.add(
            MediaRequest(user_id=alice, media_type="movie", tmdb_id=438631, title="Dune")
        )
        db.session.commit()
    assert "Dune" in client.get("/").text


def test_a_change_through_a_raw_connection_also_retires_the_copy(app, client, auth):
    auth.owner()
    auth.create("alice")
    auth.login("alice")
    assert "Hello, alice." in client.get("/").text
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET username = 'alicia' WHERE username = 'alice'"))
    assert "Hello, alicia." in client.get("/").text


def test_each_person_gets_their_own_page(app, client, auth):
    auth.owner()
    auth.create("alice")
    auth.create("bob")
    bob = app.test_client()
    auth.login("alice")
    auth.login("bob", client=bob)
    for _ in range(2):
        assert "Hello, alice." in client.get("/").text
        page = bob.get("/").text
        assert "Hello, bob." in page and "alice" not in page


def test_a_copied_cookie_stops_working_at_sign_out(app, client, auth):
    auth.owner()
    auth.create("alice")
    auth.login("alice")
    cookie = cookie_of(client)
    assert replay(app, cookie).get("/").status_code == 200
    assert replay(app, cookie).get("/").status_code == 200  # the copy exists now
    auth.logout()
    replayed = replay(app, cookie).get("/")
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")


def test_a_disabled_person_is_turned_away_at_once(app, client, auth):
    auth.owner()
    alice = auth.create("alice")
    auth.login("alice")
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == alice).values(disabled=True))
        db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_flashed_message_is_shown_once_and_not_kept(app, client, auth):
    auth.owner()
    auth.create("alice")
    auth.login("alice")
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved your changes.")]
    assert "Saved your changes." in client.get("/").text
    assert "Saved your changes." not in client.get("/").text


def test_without_redis_the_page_is_built_every_time(app, client, auth):
    auth.owner()
    alice = auth.create("alice")
    auth.login("alice")
    client.get("/")
    cache = app.extensions[page_cache.EXTENSION]
    cache._redis = Redis(port=1, socket_connect_timeout=0.2)  # nothing listens there
    with app.app_context():
        db.session.add(MediaRequest(user_id=alice, media_type="movie", tmdb_id=1, title="Heat"))
        db.session.commit()
    assert "Heat" in client.get("/").text


def test_signed_out_visitors_are_sent_to_sign_in(client, auth):
    auth.owner()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Hello" not in client.post_form("/login", {"username": "owner", "password": "x"}).text
    auth.login("owner", PASSWORD)
    assert "Hello, owner." in client.get("/").text
