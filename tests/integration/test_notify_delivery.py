"""Notifications delivered by real workers to loopback SMTP and webhook receivers: once, retried
with backoff, failed or cancelled with the reason."""

import time

from app.extensions import db
from app.models import Delivery, Notification, NotifyChannel, NotifyEvent, User
from app.models.notify import CANCELLED, FAILED, RETRYING, SENT
from app.notify import deliver
from app.notify.fanout import fan_out
from tests.conftest import wait_for
from tests.integration import notify_delivery_helpers as helpers
from tests.integration.notify_delivery_helpers import (
    channel,
    count,
    parts,
    person,
    rows,
    sweeping_until,
    tell,
)

smtp, hook = helpers.smtp, helpers.hook
notify_app, notify_worker = helpers.notify_app, helpers.notify_worker


def test_an_email_arrives_once_with_the_link(notify_app, notify_worker, smtp):
    alice = person(notify_app, "alice", "alice@example.test")
    tell(notify_app, "request.available", "Dune is on Plex", alice, link="/requests/4")
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "alice@example.test" and mail["Subject"] == "Dune is on Plex"
    body = parts(mail)
    assert "http://media.example.test/requests/4" in body["text/plain"]
    assert 'href="http://media.example.test/requests/4"' in body["text/html"]
    wait_for(lambda: count(notify_app, state=SENT) == 1)
    time.sleep(1)
    assert len(smtp.messages) == 1


def test_a_webhook_answering_500_twice_gets_it_on_the_third_try(notify_app, notify_worker, hook):
    channel(notify_app, f"json://127.0.0.1:{hook.port}/hook")
    hook.fail_next(2, status=500)
    tell(notify_app, "service.down", "Plex is down")
    sweeping_until(notify_app, lambda: count(notify_app, state=SENT) == 1)
    (post,) = hook.posts
    assert post.json["title"] == "Plex is down"
    (row,) = rows(notify_app)
    assert row.attempts == 3 and row.last_error == ""


def test_a_permanent_refusal_fails_with_the_reason(notify_app, notify_worker, hook):
    channel(notify_app, f"json://127.0.0.1:{hook.port}/hook")
    hook.fail_next(1, status=404)
    tell(notify_app, "service.down", "Plex is down")
    wait_for(lambda: count(notify_app, state=FAILED) == 1)
    (row,) = rows(notify_app)
    assert "404" in row.last_error and row.attempts == 1


def test_attempts_run_out_and_an_admin_can_send_it_again(notify_app, notify_worker, hook):
    channel(notify_app, f"json://127.0.0.1:{hook.port}/hook")
    hook.fail_next(4, status=503)
    tell(notify_app, "service.down", "Plex is down")
    sweeping_until(notify_app, lambda: count(notify_app, state=FAILED) == 1)
    (row,) = rows(notify_app)
    assert row.attempts == 4 and "503" in row.last_error and not hook.posts
    with notify_app.app_context():
        assert deliver.resend(row.id)
        assert not deliver.resend(row.id)  # already waiting: nothing more to do
    hook.wait_for(1)
    wait_for(lambda: count(notify_app, state=SENT) == 1)


def test_a_person_without_an_address_gets_no_email_and_nothing_fails(notify_app, notify_worker):
    bob = person(notify_app, "bob", None, in_app=True, email=True)
    event_id = tell(notify_app, "request.available", "Dune is on Plex", bob)

    def fanned():
        with notify_app.app_context():
            return db.session.get(NotifyEvent, event_id).fanned_out_at

    wait_for(fanned)
    assert count(notify_app) == 0
    with notify_app.app_context():
        assert db.session.query(Notification).filter_by(user_id=bob).count() == 1


def test_fanning_out_twice_adds_nothing(notify_app, hook):
    alice = person(notify_app, "alice", "alice@example.test")
    channel(notify_app, f"json://127.0.0.1:{hook.port}/hook")
    event_id = tell(notify_app, "service.down", "Plex is down", alice)
    with notify_app.app_context():
        first = fan_out(event_id)
        assert fan_out(event_id) == 0
    assert first == 2 and count(notify_app) == 2  # the admin channel and alice's email


def test_an_address_changed_while_waiting_gets_it(notify_app, notify_worker, smtp):
    alice = person(notify_app, "alice", "old@example.test")
    smtp.fail_next(1, code=451)
    tell(notify_app, "request.available", "Dune is on Plex", alice)
    wait_for(lambda: count(notify_app, state=RETRYING) == 1)
    with notify_app.app_context():
        db.session.get(User, alice).email = "new@example.test"
        db.session.commit()
    (mail,) = sweeping_until(notify_app, lambda: smtp.messages)
    assert mail["To"] == "new@example.test"


def test_email_without_smtp_waits_with_a_plain_reason(notify_app, notify_worker, smtp):
    from app import settings

    with notify_app.app_context():
        settings.put({"notify.smtp_url": ""})
    alice = person(notify_app, "alice", "alice@example.test")
    tell(notify_app, "request.available", "Dune is on Plex", alice)
    wait_for(lambda: count(notify_app, state=RETRYING) == 1)
    (row,) = rows(notify_app)
    assert row.last_error.startswith("Email is not set up: an admin can add it under Admin")


def test_a_deleted_channel_cancels_what_waits_for_it(notify_app, notify_worker, hook):
    channel_id = channel(notify_app, f"json://127.0.0.1:{hook.port}/hook")
    hook.fail_next(1, status=500)
    tell(notify_app, "service.down", "Plex is down")
    wait_for(lambda: count(notify_app, state=RETRYING) == 1)
    with notify_app.app_context():
        db.session.delete(db.session.get(NotifyChannel, channel_id))
        db.session.commit()
    sweeping_until(notify_app, lambda: count(notify_app, state=CANCELLED) == 1)
    assert rows(notify_app)[0].last_error == "The channel was deleted." and not hook.posts


def test_a_disabled_person_is_not_messaged(notify_app, notify_worker, smtp):
    alice = person(notify_app, "alice", "alice@example.test")
    smtp.fail_next(1, code=451)
    tell(notify_app, "request.available", "Dune is on Plex", alice)
    wait_for(lambda: count(notify_app, state=RETRYING) == 1)
    with notify_app.app_context():
        db.session.get(User, alice).disabled = True
        db.session.commit()
    sweeping_until(notify_app, lambda: count(notify_app, state=CANCELLED) == 1)
    assert rows(notify_app)[0].last_error == "The account is disabled." and not smtp.messages


def test_a_verification_email_goes_to_the_address_being_confirmed(notify_app, notify_worker, smtp):
    carol = person(notify_app, "carol", None)
    data = {"verify": True, "to": "carol@example.test"}
    tell(notify_app, "account.notice", "Confirm your address", carol, link="/v/x", data=data)
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "carol@example.test"


def test_odd_destinations_and_ids_are_refused_quietly(notify_app):
    with notify_app.app_context():
        for key in ("", "email:", "email:x", "fax:1", "email:99999999999999999999", "target:0"):
            assert deliver.deliver(key) == 0
        assert deliver.deliver("channel:12345") == 0
        for bad in (0, -1, 2**64, "7", None):
            assert deliver.resend(bad) is False
        assert db.session.query(Delivery).count() == 0
