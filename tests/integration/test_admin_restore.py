"""Restore from Admin → Backups while MediaNest runs: the owner sees what it replaces, types
the passphrase, and a real worker restores while every page says so (503); afterwards the pages
show what they showed at the backup. A wrong passphrase, no worker, no tick, someone else's
hands: refused in words with nothing replaced and no maintenance."""

import re

import pytest
from sqlalchemy import select

from app import settings
from app.backups import admin_restore, maintenance, services
from app.extensions import db
from app.models.backups import Backup
from tests.conftest import wait_for

PASSPHRASE = "a long and memorable passphrase"
TOKENS = re.compile(r'(value|content)="[A-Za-z0-9._-]{40,}"|"X-CSRFToken": "[^"]+"')


@pytest.fixture
def made(app, auth, client):
    """The owner signed in, alice there, and a backup of that."""
    auth.owner()
    auth.create("alice")
    auth.login("owner")
    with app.app_context():
        settings.put({"backup.passphrase": PASSPHRASE})
        row = services.start_now("admin", "owner")
        assert services.make(row, PASSPHRASE, retry=False) == "done"
        backup_id = row.id
        db.session.remove()
    return backup_id


def restore(client, backup_id: int, **form):
    page = f"/admin/backups/{backup_id}/restore"
    return client.post_form(page, {"understood": "on", **form}, page=page)


def people_page(client) -> str:
    response = client.get("/admin/users")
    assert response.status_code == 200
    return TOKENS.sub("", response.get_data(as_text=True))


def test_the_owner_restores_from_admin_while_a_worker_runs_and_the_pages_come_back(
    app, auth, client, made, worker
):
    before = people_page(client)
    confirm = client.get(f"/admin/backups/{made}/restore").get_data(as_text=True)
    assert "It replaces everything in the database" in confirm and "Everything since" in confirm
    auth.create("mallory")
    assert "mallory" in people_page(client)

    started = restore(client, made, passphrase="")  # empty: the current passphrase
    assert started.status_code == 302
    during = client.get("/admin/users")
    assert during.status_code == 503 and "being restored" in during.get_data(as_text=True)
    assert during.headers["Retry-After"] == "10"
    assert client.get("/health").status_code == 200  # load balancers still see it alive

    with app.app_context():
        done = wait_for(admin_restore.last, timeout=90)
        assert done["ok"], done["words"]
        assert maintenance.current() is None
    wait_for(lambda: client.get("/admin/users").status_code == 200, timeout=5)
    after = people_page(client)
    assert "mallory" not in after and "alice" in after
    assert after == before
    page = client.get("/admin/backups").get_data(as_text=True)
    assert "Restored medianest-" in page
    with app.app_context():
        assert db.session.scalars(select(Backup.id)).all() == [made]


@pytest.mark.parametrize(
    "form, words",
    [
        ({"passphrase": "not the passphrase at all"}, "The passphrase is wrong for this backup"),
        ({"understood": ""}, "Tick the box"),
    ],
)
def test_a_wrong_passphrase_or_no_tick_replaces_nothing(app, client, made, worker, form, words):
    response = restore(client, made, **form)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    with app.app_context():
        assert maintenance.current() is None and admin_restore.last() is None
    assert client.get("/admin/users").status_code == 200


def test_with_no_worker_running_the_restore_is_refused(app, client, made):
    response = restore(client, made)
    assert response.status_code == 400
    assert "No worker is running" in response.get_data(as_text=True)
    with app.app_context():
        assert maintenance.current() is None


def test_only_the_owner_may_restore(app, auth, client, made):
    auth.create("ada", role="admin")
    auth.logout()
    auth.login("ada")
    assert client.get(f"/admin/backups/{made}/restore").status_code == 403
    assert "Restore…" not in client.get("/admin/backups").get_data(as_text=True)
    for other in (made + 1, 2**63, 2**64):
        auth.logout()
        auth.login("owner")
        assert client.get(f"/admin/backups/{other}/restore").status_code == 404


def test_a_page_asked_during_maintenance_says_so_without_the_database(app, client, made):
    with app.app_context():
        maintenance.begin("the backup of yesterday")
    response = client.get("/library/")
    text = response.get_data(as_text=True)
    assert response.status_code == 503 and "MediaNest is being restored" in text
    assert "the backup of yesterday" in text and 'http-equiv="refresh"' in text
    with app.app_context():
        maintenance.end()
    wait_for(lambda: client.get("/library/").status_code == 200, timeout=5)


def test_from_the_page_the_browser_loads_the_backups_page_whole(app, client, made, worker):
    """The boosted form gets a full page load to follow, since every page answers 503 with a
    page that reloads itself until the restore is done."""
    page = f"/admin/backups/{made}/restore"
    started = client.post(
        page,
        data={"understood": "on", "csrf_token": client.token(page)},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert started.status_code == 204 and started.headers["HX-Redirect"] == "/admin/backups"
    with app.app_context():
        assert wait_for(admin_restore.last, timeout=90)["ok"]
