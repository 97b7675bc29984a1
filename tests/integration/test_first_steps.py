"""The first ten minutes: the owner's next steps, the sync button, the webhook, what friends see."""

import json
import re

import pytest
from rq import Queue
from sqlalchemy import select

from app.extensions import db, redis_conn
from app.library import services
from app.library.tasks import FULL_JOB_ID
from app.models import AuditEvent
from tests.conftest import Accounts, wait_for
from tests.integration import library_helpers
from tests.integration.dashboard_helpers import announce, put_state

plex, sync_app = library_helpers.plex, library_helpers.sync_app


@pytest.fixture
def owner_client(sync_app):
    client = sync_app.test_client()
    accounts = Accounts(sync_app, client)
    accounts.owner()
    accounts.login()
    return client, accounts


def steps(page: str) -> dict[str, str]:
    """Each checklist step on the page and whether it is done."""
    found = re.findall(r'class="step (done|todo)" data-step="(\w+)"', page)
    return {key: state for state, key in found}


def test_the_owner_sees_next_steps_that_tick_as_things_happen(sync_app, plex, owner_client):
    client, accounts = owner_client
    plex.state.add_library("Movies", "movie", count=3)
    page = client.get("/").text
    assert steps(page) == {
        "plex": "done",
        "library": "todo",
        "people": "todo",
        "address": "todo",
        "webhook": "todo",
    }
    assert 'value="http://localhost/"' in page, "the address to share is shown"
    assert 'href="/admin/users"' in page and 'href="/admin/library#plex-webhook"' in page

    with sync_app.app_context():
        assert services.full_sync()["status"] == "succeeded"
        secret = services.webhook_secret()
    accounts.create("friend")
    payload = {"event": "media.play", "Server": {"uuid": plex.state.machine_identifier}}
    response = client.post(f"/webhooks/plex/{secret}", data={"payload": json.dumps(payload)})
    assert response.status_code == 202
    page = client.get("/").text
    assert steps(page) == {
        "plex": "done",
        "library": "done",
        "people": "done",
        "address": "todo",
        "webhook": "done",
    }
    assert "1 library synced" in page and "Plex called just now" in page
    assert "Received just now" in client.get("/admin/library").text

    accounts.login("friend", client=sync_app.test_client())
    page = client.get("/").text
    assert "Everything is set up" in page and "1 person has signed in" in page


def test_a_webhook_from_another_server_does_not_count(sync_app, plex, owner_client):
    client, _ = owner_client
    with sync_app.app_context():
        secret = services.webhook_secret()
    payload = {"event": "media.play", "Server": {"uuid": "someone-else"}}
    client.post(f"/webhooks/plex/{secret}", data={"payload": json.dumps(payload)})
    client.post(f"/webhooks/plex/{secret}", data={"payload": "{not json"})
    assert steps(client.get("/").text)["webhook"] == "todo"
    assert "Nothing received yet" in client.get("/admin/library").text


def test_the_owner_hides_the_list_and_only_the_owner_can(sync_app, owner_client):
    client, accounts = owner_client
    accounts.create("helper", role="admin")
    helper = sync_app.test_client()
    accounts.login("helper", client=helper)
    assert 'id="setup-checklist"' not in helper.get("/").text, "the list is the owner's"
    assert helper.get("/dashboard/checklist").status_code == 403
    token = helper.get("/").text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = helper.post("/dashboard/checklist/dismiss", data={"csrf_token": token})
    assert refused.status_code == 403
    assert 'id="setup-checklist"' in client.get("/").text

    response = client.htmx_post("/dashboard/checklist/dismiss", page="/")
    assert response.status_code == 200 and response.text == ""
    assert 'id="setup-checklist"' not in client.get("/").text


def test_sync_now_is_audited_and_answers_with_the_bar(sync_app, owner_client):
    client, _ = owner_client
    response = client.htmx_post("/admin/library/sync", page="/admin/library")
    assert response.status_code == 200
    assert 'id="sync-progress"' in response.text and "The full sync is starting" in response.text
    assert "has started" not in client.get("/admin/library").text, "no banner left behind"
    with sync_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "library.sync_started")
        ).one()
        assert event.actor_name == "owner" and event.details == {"kind": "full"}
        assert [j.id for j in Queue("default", connection=redis_conn()).jobs] == [FULL_JOB_ID]


def test_library_types_and_counts_in_words(sync_app, plex, owner_client):
    client, _ = owner_client
    plex.state.add_library("Films", "movie", count=4)
    plex.state.add_library("Series", "show", count=2, seasons=2, episodes=3)
    plex.state.add_library("Songs", "artist", count=1, seasons=2, episodes=2)
    with sync_app.app_context():
        report = services.full_sync()
    assert report["added"] == 4 + 2 + 4 + 12 + 1 + 2 + 4
    assert report["added_kinds"] == (
        "4 movies, 2 shows, 4 seasons, 12 episodes, 1 artist, 2 albums, 4 tracks"
    )
    page = client.get("/admin/library").text
    for title, label, items in [
        ("Films", "Movies", "4 movies"),
        ("Series", "TV shows", "2 shows, 4 seasons, 12 episodes"),
        ("Songs", "Music", "1 artist, 2 albums, 4 tracks"),
    ]:
        row = page.split(f">{title}</th>")[1].split("</tr>")[0]
        assert f'data-label="Type">{label}<' in row and f'data-label="Items">{items}<' in row
    assert ">movie<" not in page and ">artist<" not in page


def test_friends_see_plex_in_plain_words_and_admins_see_everything(sync_app, plex, owner_client):
    client, accounts = owner_client
    accounts.create("friend")
    components = {
        "workers": {"ok": False, "detail": "no worker is running"},
        "database": {"ok": True, "detail": "answering"},
    }
    put_state(sync_app, "plex", "plex", "Living Room", public=True, info={"version": "1.41.3"})
    put_state(
        sync_app,
        "medianest",
        "medianest",
        "MediaNest",
        "down",
        public=True,
        info={"components": components},
    )
    friend = sync_app.test_client()
    accounts.login("friend", client=friend)
    page = friend.get("/").text
    card = page.split('id="service-plex"')[1].split("</article>")[0]
    assert ">Up</span>" in card and "Version 1.41.3" in card
    medianest = page.split('id="service-medianest"')[1].split("</article>")[0]
    for internal in ("Database", "Redis", "Workers", "no worker is running"):
        assert internal not in medianest
    assert "Having trouble" in medianest
    owner_card = client.get("/").text.split('id="service-medianest"')[1].split("</article>")[0]
    assert "no worker is running" in owner_card and "Database" in owner_card

    put_state(sync_app, "plex", "plex", "Living Room", "down", reason="refused", public=True)
    announce(sync_app, "plex")

    def plex_card():
        return friend.get("/").text.split('id="service-plex"')[1].split("</article>")[0]

    card = wait_for(lambda: (html := plex_card()) and "Refused" in html and html, timeout=5)
    assert "Refused the connection" in card and ">Down</span>" in card


def test_the_bar_asks_for_itself_until_the_sync_is_done(sync_app, plex, owner_client):
    """Without the socket the page still catches up: the bar polls, then brings the tables."""
    client, _ = owner_client
    plex.state.add_library("Movies", "movie", count=2)
    client.htmx_post("/admin/library/sync", page="/admin/library")
    waiting = client.get("/admin/library/sync", headers={"HX-Request": "true"}).text
    assert "The full sync is starting" in waiting and 'hx-trigger="every 3s"' in waiting
    assert "The full sync is starting" in client.get("/admin/plex").text
    with sync_app.app_context():
        Queue("default", connection=redis_conn()).empty()
        services.full_sync()
    done = client.get("/admin/library/sync", headers={"HX-Request": "true"}).text
    assert "Sync finished" in done and 'hx-trigger="every 3s"' not in done
    took = re.search(r"Sync finished in (\S+) s", done)[1]  # the same figure as the history's
    assert re.search(r'data-label="Duration">(\S+) s<', done)[1] == took and "." in took
    assert 'id="library-sections" hx-swap-oob="true"' in done and "2 movies" in done
    assert 'id="sync-history" aria-labelledby="sync-history-title" hx-swap-oob="true"' in done
    bar_only = client.get("/admin/library/sync?bar=1", headers={"HX-Request": "true"}).text
    assert "Sync finished" in bar_only and "library-sections" not in bar_only


@pytest.mark.parametrize(
    "path, page", [("/admin/library/sync", "/admin/library"), ("/dashboard/status", "/"),
                   ("/dashboard/checklist", "/")],
)  # fmt: skip
def test_a_live_fragment_opened_as_a_page_leads_to_its_page(client, auth, path, page):
    auth.owner()
    auth.login()
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == page


def test_the_address_to_share_is_the_public_address_when_one_is_set(make_app):
    app = make_app(PUBLIC_URL="https://media.example.com/")
    accounts = Accounts(app, app.test_client())
    accounts.owner()
    accounts.login()
    page = accounts.client.get("/").text
    assert 'value="https://media.example.com/"' in page
