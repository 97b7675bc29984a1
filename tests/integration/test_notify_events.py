"""Requests and accounts tell people through the notifier: one outbox row of the right type for
the right people, the bell as before, and nothing when the change rolls back."""

from sqlalchemy import func, select, update

from app import settings
from app.extensions import db
from app.models import MediaRequest, Notification, NotifyEvent, User
from app.requests import history, services, states
from tests.integration import request_helpers
from tests.integration.notify_event_helpers import bell, events, only
from tests.integration.plex_helpers import plex_round_trip
from tests.integration.request_helpers import DUNE, person, request_row

known_titles, folks = request_helpers.known_titles, request_helpers.folks


def _asked(app, user_id: int, title=DUNE) -> int:
    with app.app_context():
        return services.create(person(user_id), title).created.id


def test_a_request_waiting_for_approval_tells_the_admins_but_not_an_admin_who_asked(
    app, folks, known_titles
):
    request_id = _asked(app, folks.alice)
    with app.app_context():
        event = only("request.submitted")
        assert sorted(event.user_ids) == sorted([folks.owner, folks.ada])
        assert event.admins and event.link == f"/requests/{request_id}"
        assert event.title == "New request: Dune" and "alice asked for" in event.body
        [note] = bell(folks.ada)
        assert (note.title, note.link, note.kind) == (
            "New request: Dune",
            f"/requests/{request_id}",
            "request.submitted",
        )
        assert bell(folks.alice) == []
        settings.put({"requests.auto_approve_admin": False})
    _asked(app, folks.ada, request_helpers.ARRIVAL)
    with app.app_context():
        second = events("request.submitted")[-1]
        assert folks.ada not in second.user_ids and folks.owner in second.user_ids
        assert second.data["exclude"] == [folks.ada]
        assert [n.title for n in bell(folks.ada)] == ["New request: Dune"]


def test_approving_through_the_admin_page_tells_the_requester_once(
    app, client, auth, folks, known_titles
):
    request_id = _asked(app, folks.alice)
    auth.login()
    response = client.post_form(f"/admin/requests/{request_id}/approve", page="/admin/requests")
    assert response.status_code == 302
    with app.app_context():
        event = only("request.approved")
        assert event.user_ids == [folks.alice] and not event.admins
        assert event.link == f"/requests/{request_id}"
        [note] = bell(folks.alice)
        assert (note.title, note.level) == ("Request approved: Dune", "success")


def test_declining_puts_the_reason_in_the_body(app, client, auth, folks, known_titles):
    request_id = _asked(app, folks.alice)
    auth.login()
    response = client.post_form(
        f"/admin/requests/{request_id}/decline",
        {"reason": "We have the 1984 one"},
        page="/admin/requests",
    )
    assert response.status_code == 302
    with app.app_context():
        event = only("request.declined")
        assert (event.user_ids, event.body) == ([folks.alice], "We have the 1984 one")
        [note] = bell(folks.alice)
        assert (note.title, note.body) == ("Request declined: Dune", "We have the 1984 one")


def test_marked_available_tells_the_requester_and_followers(app, client, auth, folks, known_titles):
    request_id = _asked(app, folks.alice)
    with app.app_context():  # bob asks for the same: he follows alice's request
        services.create(person(folks.bob), DUNE)
    auth.login()
    response = client.post_form(f"/admin/requests/{request_id}/available", page="/admin/requests")
    assert response.status_code == 302
    with app.app_context():
        event = only("request.available")
        assert sorted(event.user_ids) == sorted([folks.alice, folks.bob])
        assert [n.title for n in bell(folks.alice)] == ["Now on Plex: Dune"]
        assert [n.title for n in bell(folks.bob)] == ["Now on Plex: Dune"]


def test_a_failed_request_tells_the_requester(app, folks, known_titles):
    request_id = _asked(app, folks.alice)
    with app.app_context():
        req = request_row(request_id)
        history.advance(req, states.FAILED, source="overseerr", message="Overseerr said no")
        db.session.commit()
        event = only("request.failed")
        assert (event.user_ids, event.body) == ([folks.alice], "Overseerr said no")
        assert [n.title for n in bell(folks.alice)] == ["Request failed: Dune"]


def test_a_change_that_rolls_back_tells_nobody(app, folks, known_titles):
    request_id = _asked(app, folks.alice)
    with app.app_context():
        before = db.session.scalar(select(func.count(Notification.id)))
        req = request_row(request_id)
        assert history.advance(req, states.APPROVED, source="admin", message="")
        db.session.rollback()
        assert events("request.approved") == []
        assert db.session.scalar(select(func.count(Notification.id))) == before
        assert request_row(request_id).status == states.PENDING


def test_a_change_another_process_made_first_is_told_once(app, folks, known_titles):
    """The webhook and the poll can both see "available" at once: only the first one tells."""
    request_id = _asked(app, folks.alice)
    with app.app_context():
        stale = request_row(request_id)  # read before the other process moved it
        with db.engine.begin() as other:
            other.execute(
                update(MediaRequest)
                .where(MediaRequest.id == request_id)
                .values(status=states.AVAILABLE)
            )
        assert not history.advance(stale, states.AVAILABLE, source="overseerr", message="")
        db.session.commit()
        assert events("request.available") == []
        assert bell(folks.alice) == []
        assert request_row(request_id).status == states.AVAILABLE


def test_approving_a_waiting_person_tells_them_in_one_commit(app, client, auth):
    auth.owner()
    with app.app_context():
        waiting = User(username="newbie", role="user", pending=True)
        db.session.add(waiting)
        db.session.commit()
        newbie = waiting.id
    auth.login()
    response = client.post_form(f"/admin/users/{newbie}/approve", page="/admin/users")
    assert response.status_code == 302
    with app.app_context():
        event = only("account.notice")
        assert event.user_ids == [newbie] and not event.admins
        [note] = bell(newbie)
        assert (note.title, note.level) == ("Welcome to MediaNest", "success")
        assert db.session.get(User, newbie).pending is False


def test_a_sign_up_waiting_for_approval_tells_the_admins(plex_app, plex_world):
    client = plex_app.test_client()
    with plex_app.app_context():
        settings.put({"signup.approval_required": True})
        owner = db.session.scalars(select(User.id).where(User.role == "admin")).all()
    response = plex_round_trip(client, plex_world, plex_world.friend)
    assert response.status_code == 403
    with plex_app.app_context():
        event = only("signup.waiting")
        assert event.admins and sorted(event.user_ids) == sorted(owner)
        friend = db.session.scalars(select(User).where(User.username == "friend")).one()
        assert event.link == f"/admin/users/{friend.id}"
        assert event.title == "friend is waiting for approval"
        assert db.session.scalar(select(func.count(NotifyEvent.id))) == 1
