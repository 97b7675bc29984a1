"""What admins do: approve, decline with a reason, bulk, seasons, mark available, retry."""

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, Notification, RequestAction
from app.requests import decisions, services, states
from tests.integration import request_helpers
from tests.integration.request_helpers import DUNE, WIRE, movie, person, request_row

known_titles, folks = request_helpers.known_titles, request_helpers.folks


def audit_codes() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def unread(user_id) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.title).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
    )


def test_approving_tells_the_requester_and_clears_the_admins_note(app, folks):
    with app.app_context():
        req = services.create(person(folks.alice), DUNE).created
        assert unread(folks.ada) == ["New request: Dune"]
        decisions.approve(req, actor=person(folks.owner))
        req = request_row(req.id)
        assert req.status == states.APPROVED and req.decided_by_id == folks.owner
        assert [e.actor_name for e in req.events] == ["alice", "owner"]
        assert unread(folks.alice) == ["Request approved: Dune"]
        assert unread(folks.ada) == []  # dealt with, for every admin
        assert audit_codes()[-1] == "request.approved"
        with pytest.raises(services.RequestError, match="not waiting for approval"):
            decisions.approve(req, actor=person(folks.owner))


def test_declining_needs_a_reason_the_requester_reads(app, folks):
    with app.app_context():
        req = services.create(person(folks.alice), DUNE).created
        for reason in ("", "   ", "\u200b"):
            with pytest.raises(services.RequestError, match="Say why"):
                decisions.decline(req, reason, actor=person(folks.owner))
        with pytest.raises(services.RequestError, match="under 500"):
            decisions.decline(req, "x" * 501, actor=person(folks.owner))
        decisions.decline(req, "We have the 1984 one", actor=person(folks.owner))
        req = request_row(req.id)
        assert (req.status, req.decline_reason) == (states.DECLINED, "We have the 1984 one")
        [note] = db.session.scalars(
            select(Notification).where(Notification.user_id == folks.alice)
        ).all()
        assert (note.title, note.body) == ("Request declined: Dune", "We have the 1984 one")
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "request.declined"
        assert event.details["reason"] == "We have the 1984 one"


def test_bulk_decisions_skip_what_cannot_be_done(app, folks):
    with app.app_context():
        reqs = [services.create(person(folks.alice), movie(n)).created for n in range(1, 4)]
        decisions.decline(reqs[0], "no", actor=person(folks.owner))
        result = decisions.bulk(
            [request_row(r.id) for r in reqs], "approve", actor=person(folks.owner)
        )
        assert [r.id for r in result.done] == [reqs[1].id, reqs[2].id]
        assert [(r.id, why) for r, why in result.skipped] == [
            (reqs[0].id, "It is declined, not waiting for approval.")
        ]
        assert [request_row(r.id).status for r in reqs] == ["declined", "approved", "approved"]
        with pytest.raises(services.RequestError, match="Say why"):
            decisions.bulk([request_row(reqs[1].id)], "decline", actor=person(folks.owner))
        with pytest.raises(services.RequestError, match="approve or decline"):
            decisions.bulk([request_row(reqs[1].id)], "delete", actor=person(folks.owner))


def test_seasons_of_a_pending_request_can_change(app, folks):
    with app.app_context():
        req = services.create(person(folks.alice), WIRE, ["1", "2"]).created
        owner = person(folks.owner)
        with pytest.raises(services.RequestError, match="has no season 8"):
            decisions.edit_seasons(req, ["8"], WIRE, actor=owner)
        with pytest.raises(services.RequestError, match="at least one season"):
            decisions.edit_seasons(req, [], WIRE, actor=owner)
        assert decisions.edit_seasons(req, ["1", "2", "3"], WIRE, actor=owner)
        req = request_row(req.id)
        assert req.seasons == [1, 2, 3]
        assert req.events[-1].message == "Changed from seasons 1–2 to seasons 1–3"
        assert not decisions.edit_seasons(req, ["3", "2", "1"], WIRE, actor=owner)
        decisions.approve(req, actor=owner)
        with pytest.raises(services.RequestError, match="only while the request waits"):
            decisions.edit_seasons(request_row(req.id), ["1"], WIRE, actor=owner)


def test_marked_available_by_hand_and_a_failed_one_tried_again(app, folks):
    with app.app_context():
        owner = person(folks.owner)
        req = services.create(person(folks.alice), DUNE).created
        decisions.mark_available(req, actor=owner)
        req = request_row(req.id)
        assert req.status == states.AVAILABLE
        assert unread(folks.alice)[-1] == "Now on Plex: Dune"
        with pytest.raises(services.RequestError, match="available already"):
            decisions.mark_available(req, actor=owner)
        other = services.create(person(folks.bob), movie(1)).created
        with pytest.raises(services.RequestError, match="Only a failed request"):
            decisions.retry(other, actor=owner)
        other.status = states.FAILED
        db.session.commit()
        settings.put({"overseerr.url": "http://127.0.0.1:9", "overseerr.api_key": "k" * 32})
        decisions.retry(other, actor=owner)
        other = request_row(other.id)
        assert (other.status, other.delivery) == (states.PENDING, "waiting")
        kinds = db.session.scalars(select(RequestAction.kind)).all()
        assert kinds == ["submit"]
        codes = [c for c in audit_codes() if c.startswith("request.")]
        assert codes == ["request.marked_available", "request.retried"]


def test_decisions_on_a_delivered_request_go_to_overseerr(app, folks):
    with app.app_context():
        reqs = [services.create(person(folks.alice), movie(n)).created for n in (1, 2)]
        for n, req in enumerate(reqs, start=1):
            req.overseerr_id = 100 + n
        db.session.commit()
        decisions.approve(reqs[0], actor=person(folks.owner))
        decisions.decline(reqs[1], "Too scary", actor=person(folks.owner))
        actions = db.session.scalars(select(RequestAction).order_by(RequestAction.id)).all()
        assert [(a.request_id, a.kind, a.payload) for a in actions] == [
            (reqs[0].id, "approve", {}),
            (reqs[1].id, "decline", {"reason": "Too scary"}),
        ]
