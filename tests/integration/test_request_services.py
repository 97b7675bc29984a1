"""Making requests: one transaction, follows, double-clicks, refusals, auto-approval, Overseerr."""

import pytest
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.models import MediaRequest, Notification, RequestAction, RequestEvent, RequestFollower
from app.requests import services, states
from tests.integration import request_helpers
from tests.integration.request_helpers import DUNE, WIRE, person

known_titles, folks = request_helpers.known_titles, request_helpers.folks


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def notes_for(user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.title)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id)
        )
    )


def test_a_movie_request_waits_for_admins_and_tells_them(app, folks):
    with app.app_context():
        outcome = services.create(person(folks.alice), DUNE)
        req = outcome.created
        assert outcome.message == "Requested Dune (2021)."
        assert (req.status, req.delivery, req.seasons) == (states.PENDING, None, [])
        [line] = req.events
        assert (line.message, line.actor_name) == ("Requested Dune (2021)", "alice")
        assert notes_for(folks.owner) == ["New request: Dune"]
        assert notes_for(folks.ada) == ["New request: Dune"]
        assert notes_for(folks.alice) == []


def test_admins_are_approved_at_once_and_users_when_the_setting_says(app, folks):
    with app.app_context():
        mine = services.create(person(folks.owner), DUNE).created
        assert mine.status == states.APPROVED
        assert [e.status for e in mine.events] == ["pending", "approved"]
        assert notes_for(folks.ada) == [] and notes_for(folks.owner) == []
        settings.put({"requests.auto_approve_user": True})
        theirs = services.create(person(folks.alice), request_helpers.ARRIVAL).created
        assert theirs.status == states.APPROVED
        assert notes_for(folks.alice) == []  # no "approved" note for what they just did


def test_a_double_click_makes_one_request(app, folks):
    token = "t0k3n-" + "x" * 20
    with app.app_context():
        first = services.create(person(folks.alice), DUNE, client_token=token)
        again = services.create(person(folks.alice), DUNE, client_token=token)
        assert again.repeated and again.created.id == first.created.id
        assert again.message == "Your request was already sent."
        assert count(MediaRequest) == 1
        # Someone else's token is not theirs to repeat: bob follows instead of failing.
        bobs = services.create(person(folks.bob), DUNE, client_token=token)
        assert not bobs.repeated and bobs.followed == [first.created]


def test_asking_for_what_someone_requested_follows_their_request(app, folks):
    with app.app_context():
        alices = services.create(person(folks.alice), DUNE).created
        outcome = services.create(person(folks.bob), DUNE)
        assert outcome.created is None and outcome.followed == [alices]
        assert "you follow their request" in outcome.message
        assert count(MediaRequest) == 1
        assert count(RequestFollower, RequestFollower.user_id == folks.bob) == 1
        assert services.may_see(alices, person(folks.bob))
        again = services.create(person(folks.alice), DUNE)
        assert again.message == "You already requested this."
        from app.requests import decisions

        decisions.approve(alices, actor=person(folks.owner))
        assert notes_for(folks.alice) == ["Request approved: Dune"]
        assert notes_for(folks.bob) == ["Request approved: Dune"]


def test_a_declined_title_may_be_asked_for_again(app, folks):
    from app.requests import decisions

    with app.app_context():
        first = services.create(person(folks.alice), DUNE).created
        decisions.decline(first, "Not this year", actor=person(folks.owner))
        second = services.create(person(folks.bob), DUNE).created
        assert second is not None and second.id != first.id


def test_seasons_all_leaves_out_specials_and_splits_what_others_asked_for(app, folks):
    with app.app_context():
        alices = services.create(person(folks.alice), WIRE, ["2", "3"]).created
        assert alices.seasons == [2, 3]
        assert alices.events[0].message == "Requested The Wire (2002), seasons 2–3"
        outcome = services.create(person(folks.bob), WIRE, "all")
        assert outcome.created.seasons == [1, 4, 5]
        assert outcome.followed == [alices]
        assert "you follow their request" in outcome.message
        nothing_left = services.create(person(folks.owner), WIRE, "all")
        assert nothing_left.created is None and len(nothing_left.followed) == 2


@pytest.mark.parametrize(
    "seasons, message",
    [
        (["9"], "The Wire has no season 9 to request."),
        (["0"], "The Wire has no season 0 to request."),
        (["x"], "Choose seasons from the list."),
        (["١"], "Choose seasons from the list."),
        ([], "Choose at least one season, or request all of them."),
    ],
)
def test_seasons_that_do_not_exist_are_refused(app, folks, seasons, message):
    with app.app_context():
        with pytest.raises(services.RequestError, match=message):
            services.create(person(folks.alice), WIRE, seasons)
        assert count(MediaRequest) == 0


def test_unknown_titles_and_people_who_may_not_ask_are_refused(app, folks):
    with app.app_context():
        with pytest.raises(services.RequestError, match="could not find that title"):
            services.create(person(folks.alice), None)
        alice = person(folks.alice)
        alice.disabled = True
        db.session.commit()
        with pytest.raises(services.RequestError, match="disabled"):
            services.create(alice, DUNE)
        bob = person(folks.bob)
        bob.pending = True
        db.session.commit()
        with pytest.raises(services.RequestError, match="waiting for an admin"):
            services.create(bob, DUNE)
        assert count(MediaRequest) == 0 and count(RequestEvent) == 0


def test_with_overseerr_a_request_is_queued_for_delivery_in_the_same_transaction(app, folks):
    with app.app_context():
        settings.put({"overseerr.url": "http://127.0.0.1:9", "overseerr.api_key": "k" * 32})
        req = services.create(person(folks.alice), WIRE, "all").created
        assert req.delivery == "waiting"
        [action] = db.session.scalars(select(RequestAction)).all()
        assert (action.request_id, action.kind, action.state) == (req.id, "submit", "pending")
