"""The secret in Plex's webhook address: there from the moment Plex is connected, made once even
by racing processes, and replaced by an admin (audited) so that the old address stops working."""

import json
import re
import threading

import pytest
from rq import Queue
from sqlalchemy import select

from app import settings
from app.extensions import db, redis_conn
from app.library import services
from app.models import AuditEvent, Setting
from tests.conftest import Accounts
from tests.integration import library_helpers
from tests.integration.test_plex_connect import connect, fresh  # noqa: F401

plex, sync_app = library_helpers.plex, library_helpers.sync_app
NEW_ITEM = {"event": "library.new", "Metadata": {"librarySectionID": 1, "ratingKey": "5"}}


def post_event(client, url_or_secret: str, payload=NEW_ITEM):
    url = url_or_secret if url_or_secret.startswith("/") else f"/webhooks/plex/{url_or_secret}"
    return client.post(url, data={"payload": json.dumps(payload)})


def queued(app) -> list[str]:
    with app.app_context():
        return [job.func_name for job in Queue("default", connection=redis_conn()).jobs]


def stored_secret(app) -> str:
    with app.app_context():
        return settings.get("plex.webhook_secret")


def shown_webhook_path(html: str) -> str:
    """The path of the webhook address the admin page shows."""
    return re.search(r'class="webhook-url">https?://[^/]+(/webhooks/plex/[^<]+)</code>', html)[1]


def test_the_webhook_works_before_the_admin_page_was_ever_opened(fresh, plex_world):  # noqa: F811
    app, client, _ = fresh
    assert stored_secret(app) == ""
    connect(client, plex_world, plex_world.owner)
    client.post_form(
        "/admin/plex/servers",
        {"machine_id": plex_world.server.machine_identifier, "address": plex_world.server_url},
        page="/admin/plex/servers",
    )
    secret = stored_secret(app)
    assert len(secret) >= 32
    plex_server = {"uuid": plex_world.server.machine_identifier}
    response = post_event(app.test_client(), secret, {**NEW_ITEM, "Server": plex_server})
    assert response.status_code == 202 and "Queued" in response.text
    # Connecting queued the first full sync and a health check (for Plex's card); the webhook
    # queued the library's update.
    assert queued(app) == [
        "app.library.tasks.full_sync",
        "app.ops.tasks.run_system_check",
        "app.library.tasks.section_update",
    ]
    # The page shows the address that already works.
    assert shown_webhook_path(client.get("/admin/library").text) == f"/webhooks/plex/{secret}"


def test_environment_provisioning_makes_the_secret_too(make_app, plex_world):
    from app.admin.plex_services import provision_from_environment

    app = make_app(
        PLEX_TV_URL=plex_world.plextv_url,
        PLEX_URL=plex_world.server_url,
        PLEX_TOKEN=plex_world.owner.token,
    )
    with app.app_context():
        assert provision_from_environment() is None
    assert stored_secret(app)


def test_the_first_webhook_call_makes_a_missing_secret(app):
    Accounts(app, None).owner()
    client = app.test_client()
    assert post_event(client, "guessed").status_code == 404
    secret = stored_secret(app)
    assert secret and secret != "guessed"
    assert post_event(client, secret).status_code == 202


def test_racing_processes_make_one_secret(app):
    barrier, seen, errors = threading.Barrier(4), [], []

    def first_use():
        try:
            with app.app_context():
                barrier.wait(5)
                seen.append(services.webhook_secret())
                db.session.remove()
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == [] and len(seen) == 4
    assert len(set(seen)) == 1 and seen[0] == stored_secret(app)


def test_a_secret_stored_under_another_key_is_replaced(app):
    with app.app_context():
        db.session.add(Setting(key="plex.webhook_secret", value="gAAAA-not-readable-here"))
        db.session.commit()
        secret = services.webhook_secret()
        assert secret and services.webhook_secret() == secret


def test_an_admin_rotates_the_secret_and_the_old_address_stops_working(
    sync_app, plex, client, auth
):
    auth.owner()
    auth.login()
    page = client.get("/admin/library").text
    old = shown_webhook_path(page)
    assert post_event(client, old).status_code == 202
    assert 'href="/admin/library/webhook/rotate"' in page

    confirm = client.get("/admin/library/webhook/rotate")
    assert confirm.status_code == 200
    assert "stops working at once" in confirm.text and "Make a new address" in confirm.text
    done = client.post_form("/admin/library/webhook/rotate", page="/admin/library/webhook/rotate")
    assert done.status_code == 302 and done.headers["Location"] == "/admin/library"

    page = client.get("/admin/library").text
    assert "The webhook has a new address; the old one no longer works" in page
    new = shown_webhook_path(page)
    assert new != old
    assert post_event(client, old).status_code == 404
    assert post_event(client, new).status_code == 202
    with sync_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "library.webhook_rotated")
        ).one()
        assert event.actor_name == "owner"
        assert stored_secret(sync_app) not in json.dumps(event.details)


@pytest.mark.parametrize("who, status", [(None, 302), ("friend", 403), ("admin", 302)])
def test_only_admins_rotate_the_secret(app, client, auth, who, status):
    Accounts(app, None).owner()
    auth.create("friend")
    auth.create("admin", role="admin")
    with app.app_context():
        before = services.webhook_secret()
    if who:
        auth.login(who)
    confirm = client.get("/admin/library/webhook/rotate")
    response = client.post_form("/admin/library/webhook/rotate")
    assert response.status_code == status
    if who is None:
        assert "/login" in response.headers["Location"]
        assert "/login" in confirm.headers["Location"]
    elif who == "friend":
        assert confirm.status_code == 403
    changed = stored_secret(app) != before
    assert changed is (who == "admin")
