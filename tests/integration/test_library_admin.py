"""The admin's library page, the sync command, Plex's webhook and the live progress bar."""

import json

import pytest
from rq import Queue
from sqlalchemy import select

from app.extensions import db, redis_conn
from app.library import services
from app.models import AuditEvent, LibrarySection, SyncRun
from tests.conftest import Accounts, wait_for
from tests.integration import library_helpers
from tests.integration.test_realtime import listening, live_socket, sign_in

plex, sync_app = library_helpers.plex, library_helpers.sync_app


@pytest.mark.parametrize(
    "who, status", [(None, 302), ("friend", 403), ("admin", 200), ("owner", 200)]
)
def test_library_page_access(app, client, auth, who, status):
    auth.owner()
    auth.create("friend")
    auth.create("admin", role="admin")
    if who:
        auth.login(who)
    response = client.get("/admin/library")
    assert response.status_code == status
    if who is None:
        assert "/login" in response.headers["Location"]


def test_admin_page_lists_libraries_hides_them_and_shows_history(sync_app, plex, auth):
    plex.state.add_library("Movies", "movie", count=60)
    client = sync_app.test_client()
    auth.app, auth.client = sync_app, client
    auth.owner()
    auth.login()
    with sync_app.app_context():
        services.full_sync()
        plex.state.down = True
        services.full_sync()
        section_id = db.session.scalar(select(LibrarySection.id))
    page = client.get("/admin/library").get_data(as_text=True)
    assert "Movies" in page and "Sync now" in page and 'id="sync-progress"' in page
    assert "Succeeded" in page and "Failed" in page and "HTTP 503" in page
    assert 'aria-current="page">Library<' in page
    assert "/webhooks/plex/" in page
    response = client.post_form(
        f"/admin/library/{section_id}/hidden", {"hidden": "1"}, page="/admin/library"
    )
    assert response.status_code == 302
    page = client.get("/admin/library").get_data(as_text=True)
    assert "Admins only" in page and "is now hidden" in page
    with sync_app.app_context():
        assert db.session.get(LibrarySection, section_id).hidden
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
            "library.hidden"
        )
        # A later sync keeps the admin's choice.
        plex.state.down = False
        services.full_sync()
        assert db.session.get(LibrarySection, section_id).hidden


def test_sync_now_enqueues_one_full_sync(app, client, signed_in_owner):
    for _ in range(2):
        response = client.post_form("/admin/library/sync", page="/admin/library")
        assert response.status_code == 302
    queue = Queue("default", connection=_redis(app))
    assert [job.func_name for job in queue.jobs] == ["app.library.tasks.full_sync"]


def _redis(app):
    with app.app_context():
        return redis_conn()


def _webhook(client, secret, payload, **kwargs):
    data = {"payload": payload if isinstance(payload, str) else json.dumps(payload)}
    return client.post(f"/webhooks/plex/{secret}", data=data, **kwargs)


def test_plex_webhook(sync_app, plex):
    Accounts(sync_app, None).owner()
    client = sync_app.test_client()
    with sync_app.app_context():
        secret = services.webhook_secret()
        assert services.webhook_secret() == secret  # made once
    new = {"event": "library.new", "Metadata": {"librarySectionID": 1, "ratingKey": "5"}}
    assert _webhook(client, "wrong", new).status_code == 404
    bad = _webhook(client, secret, "{not json")
    assert bad.status_code == 400 and bad.mimetype == "text/plain"
    assert _webhook(client, secret, {"no": "event"}).status_code == 400
    assert client.post(f"/webhooks/plex/{secret}", data={}).status_code == 400
    assert _webhook(client, secret, {"event": "media.play"}).status_code == 202
    other = {**new, "Server": {"uuid": "someone-else"}}
    assert _webhook(client, secret, other).status_code == 202
    queue = Queue("default", connection=_redis(sync_app))
    assert queue.count == 0
    ok = _webhook(client, secret, {**new, "Server": {"uuid": plex.state.machine_identifier}})
    assert ok.status_code == 202
    assert [(j.func_name, j.args) for j in queue.jobs] == [
        ("app.library.tasks.section_update", ("1",))
    ]


def test_webhook_update_picks_up_the_new_item(sync_app, plex):
    movies = plex.state.add_library("Movies", "movie", count=60)
    plex.state.add_library("TV Shows", "show", count=5)
    with sync_app.app_context():
        services.full_sync()
        (key,) = plex.state.add_items(movies, 1)
        result = services.recent_sync(section_key=movies.key, kind="webhook")
        assert result["status"] == "succeeded" and result["added"] == 1
        run = db.session.get(SyncRun, result["run"])
        assert (run.kind, run.section_key) == ("webhook", movies.key)


def test_cli_sync_library(sync_app, plex):
    plex.state.add_library("Movies", "movie", count=60)
    runner = sync_app.test_cli_runner()
    result = runner.invoke(args=["medianest", "sync-library"])
    assert result.exit_code == 0, result.output
    assert "Movies: 50/60" in result.output and "Movies: 60/60" in result.output
    assert "Sync succeeded" in result.output and "60 added" in result.output
    plex.state.fail_at_page = 2
    plex.state.fail_always = True
    result = runner.invoke(args=["medianest", "sync-library"])
    assert result.exit_code == 1
    assert "Sync failed" in result.output and "HTTP 500" in result.output


def test_sync_job_in_a_worker_shows_progress_to_admins(sync_app, plex, auth, worker):
    from tests.conftest import LiveServer

    plex.state.add_library("Movies", "movie", count=150)
    auth.app = sync_app
    auth.owner()
    auth.create("friend")
    server = LiveServer(sync_app).start()
    try:
        owner = live_socket(server, sign_in(server, "owner"))
        friend = live_socket(server, sign_in(server, "friend"))
        wait_for(lambda: listening(sync_app))
        wait_for(lambda: sync_app.extensions["medianest.hub"].socket_count() == 2)
        with sync_app.app_context():
            from app.jobs import enqueue

            enqueue("app.library.tasks.full_sync", job_id="library-full-sync")
        seen = []
        while not any("Sync finished" in m for m in seen):
            message = owner.receive(timeout=20)
            assert message is not None, seen
            seen.append(message)
        bars = [m for m in seen if "<progress" in m]
        assert bars and 'id="sync-progress" ' in bars[0] and 'hx-swap-oob="true"' in bars[0]
        assert "Syncing Movies" in bars[0] and "of 150 items" in bars[-1]
        assert "150 items added (150 movies)" in seen[-1]
        # The same message brings the libraries table and the history up to date.
        assert 'id="library-sections"' in seen[-1] and "150 movies" in seen[-1]
        assert 'id="sync-history"' in seen[-1] and "Succeeded" in seen[-1]
        assert friend.receive(timeout=0.5) is None
        owner.close()
        friend.close()
    finally:
        server.stop()
    with sync_app.app_context():
        run = db.session.scalars(select(SyncRun)).one()
        assert run.status == "succeeded" and run.added == 150
