"""Requests reach Overseerr exactly once, as the person who asked, whatever Overseerr does."""

from collections import Counter

from tests.conftest import wait_for
from tests.integration import overseerr_helpers as helpers
from tests.integration.overseerr_helpers import (
    ask,
    deliver_now,
    link_of,
    notes_about,
    person,
    sweep_until,
    view,
)

sim, ov_app, ov_worker = helpers.sim, helpers.ov_app, helpers.ov_worker


def test_a_request_reaches_overseerr_as_the_persons_own_user(ov_app, sim, ov_worker):
    alice = person(ov_app, sim, "alice")
    request_id = ask(ov_app, alice, 550)
    shown = wait_for(
        lambda: view(ov_app, request_id)["delivery"] == "sent" and view(ov_app, request_id)
    )
    (stored,) = sim.state.requests.values()
    assert stored.requested_by.username == "alice"
    assert stored.media.tmdb_id == 550 and stored.status == 1  # Overseerr's approval workflow
    assert shown["overseerr_id"] == stored.id
    assert shown["label"] == "Waiting for approval"
    assert f"Sent to Overseerr (request #{stored.id})." in shown["history"]
    assert link_of(ov_app, alice) == stored.requested_by.id  # matched by Plex id on the way


def test_overseerr_down_during_three_requests_delivers_each_once_when_back(ov_app, sim, ov_worker):
    alice = person(ov_app, sim, "alice")
    sim.go_away()
    ids = [ask(ov_app, alice, tmdb_id) for tmdb_id in (11, 12, 13)]
    # Two failures open the breaker; the third request then waits without a try of its own.
    wait_for(lambda: sum(bool(view(ov_app, i)["error"]) for i in ids) >= 2)
    for request_id in ids:
        assert view(ov_app, request_id)["delivery"] == "waiting"
    assert any("could not be reached" in (view(ov_app, i)["error"] or "") for i in ids)
    sim.come_back()
    sweep_until(ov_app, lambda: all(view(ov_app, i)["delivery"] == "sent" for i in ids))
    sent = Counter(r.media.tmdb_id for r in sim.state.requests.values())
    assert sent == {11: 1, 12: 1, 13: 1}
    posts = [c for c in sim.state.calls if c[:2] == ("POST", "/api/v1/request")]
    assert len(posts) == 3  # the breaker held the rest back instead of hammering


def test_an_answer_lost_after_overseerr_stored_it_makes_no_duplicate(ov_app, sim, ov_worker):
    alice = person(ov_app, sim, "alice")
    sim.state.store_then_stall_seconds = 2.5  # our timeout is 1 s
    request_id = ask(ov_app, alice, 603)
    wait_for(lambda: "did not answer" in (view(ov_app, request_id)["error"] or ""))
    sim.state.store_then_stall_seconds = 0
    shown = sweep_until(
        ov_app, lambda: view(ov_app, request_id)["delivery"] == "sent" and view(ov_app, request_id)
    )
    (stored,) = sim.state.requests.values()
    assert shown["overseerr_id"] == stored.id
    assert any("already has this request" in line for line in shown["history"])


def test_a_quota_refusal_is_final_and_says_overseerrs_words(ov_app, sim):
    alice = person(ov_app, sim, "alice", movie_quota_limit=1, movie_quota_days=7)
    first, second = ask(ov_app, alice, 1), ask(ov_app, alice, 2)
    assert deliver_now(ov_app) == ["done", "failed"]
    assert view(ov_app, first)["delivery"] == "sent"
    shown = view(ov_app, second)
    assert shown["status"] == "failed" and shown["delivery"] == "failed"
    assert "Overseerr refused: Movie Quota exceeded." in shown["history"]
    assert deliver_now(ov_app) == []  # not retried
    assert len(sim.state.requests) == 1


def test_a_permission_refusal_is_final(ov_app, sim):
    bob = person(ov_app, sim, "bob", permissions=0)
    shown_id = ask(ov_app, bob, 5)
    assert deliver_now(ov_app) == ["failed"]
    assert "You do not have permission to make movie requests." in view(ov_app, shown_id)["error"]


def test_a_duplicate_overseerr_cannot_show_us_fails_in_plain_words(ov_app, sim):
    alice = person(ov_app, sim, "alice")
    request_id = ask(ov_app, alice, 7)
    sim.state.status_override = 409
    assert deliver_now(ov_app) == ["failed"]
    assert "Overseerr already has this request" in view(ov_app, request_id)["error"]


def test_seasons_already_requested_link_to_the_existing_request(ov_app, sim):
    alice, bob = person(ov_app, sim, "alice"), person(ov_app, sim, "bob")
    first = ask(ov_app, alice, 1399, media_type="tv", seasons=[1, 2])
    second = ask(ov_app, bob, 1399, media_type="tv", seasons=[2])
    assert deliver_now(ov_app) == ["done", "done"]
    shown = view(ov_app, second)
    assert shown["overseerr_id"] == view(ov_app, first)["overseerr_id"]
    assert any("No seasons available to request" in line for line in shown["history"])
    assert len(sim.state.requests) == 1


def test_an_invalid_request_is_failed_with_overseerrs_reason(ov_app, sim):
    alice = person(ov_app, sim, "alice")
    request_id = ask(ov_app, alice, 1399, media_type="tv", seasons=[-1])
    assert deliver_now(ov_app) == ["failed"]
    shown = view(ov_app, request_id)
    assert shown["error"].startswith("Overseerr refused the request as invalid:")
    assert "is not valid under any of the given schemas" in shown["error"]


def test_a_web_page_instead_of_the_api_waits_and_says_so(ov_app, sim):
    alice = person(ov_app, sim, "alice")
    request_id = ask(ov_app, alice, 8)
    sim.state.garbage = "html"
    assert deliver_now(ov_app) == ["waiting"]
    assert "not Overseerr's API" in view(ov_app, request_id)["error"]
    sim.state.garbage = None
    sweep = sweep_until  # the retry is due after the back-off
    sweep(ov_app, lambda: deliver_now(ov_app) and view(ov_app, request_id)["delivery"] == "sent")


def test_a_revoked_key_holds_requests_and_tells_admins_once(ov_app, sim):
    person(ov_app, sim, "boss", role="admin")
    alice = person(ov_app, sim, "alice")
    deliver_now(ov_app)
    sim.state.revoke_key()
    ids = [ask(ov_app, alice, 21), ask(ov_app, alice, 22)]
    assert deliver_now(ov_app) == ["waiting", "waiting"]
    for request_id in ids:
        assert "refused MediaNest's API key" in view(ov_app, request_id)["error"]
    assert notes_about(ov_app, "overseerr:key") == 1  # one admin, told once
    assert not sim.state.requests


def test_someone_overseerr_does_not_know_waits_and_admins_are_told_once(ov_app, sim):
    person(ov_app, sim, "boss", role="admin")
    carol = person(ov_app, sim, "carol", in_overseerr=False)
    ids = [ask(ov_app, carol, 31), ask(ov_app, carol, 32)]
    assert deliver_now(ov_app) == ["waiting", "waiting"]
    assert "carol has no Overseerr account matched by Plex" in view(ov_app, ids[0])["error"]
    assert notes_about(ov_app, "overseerr:unmatched") == 1
    assert not sim.state.requests


def test_a_request_we_approved_is_approved_in_overseerr_too(ov_app, sim):
    alice = person(ov_app, sim, "alice")
    request_id = ask(ov_app, alice, 77, status="approved")
    assert deliver_now(ov_app) == ["done"]
    assert deliver_now(ov_app) == ["done"]  # the approve that followed
    (stored,) = sim.state.requests.values()
    assert stored.status == 2
    assert "Overseerr has it approved." in view(ov_app, request_id)["history"]


def test_a_request_declined_before_it_was_sent_never_reaches_overseerr(ov_app, sim):
    from app.extensions import db
    from app.models import MediaRequest
    from app.requests import history, states

    alice = person(ov_app, sim, "alice")
    request_id = ask(ov_app, alice, 551)
    with ov_app.app_context():
        req = db.session.get(MediaRequest, request_id)
        history.advance(req, states.DECLINED, source="person", message="Not this one")
        db.session.commit()
    deliver_now(ov_app)
    assert sim.state.requests == {}
    shown = view(ov_app, request_id)
    assert shown["label"] == "Declined" and shown["delivery"] is None
    assert "Declined before it reached Overseerr: not sent." in shown["history"]
