"""The audit log reads as sentences: who did what, failed sign-ins under the name tried."""

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.admin.audit_words import DESCRIBERS, sentence
from app.extensions import db
from app.models import AuditEvent
from tests.conftest import PASSWORD, ROOT
from tests.integration.plex_helpers import plex_round_trip
from tests.integration.test_audit_log import add_event, rows


def log_rows(client, **filters) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return rows(client.get(f"/admin/audit?{query}").text)


def test_a_failed_password_sign_in_is_credited_to_the_name_typed(client, auth):
    auth.owner()
    assert auth.login("carol", "not her password").status_code == 401
    auth.login()
    [row] = log_rows(client, action="signin.failed")
    assert "carol (not signed in)" in row
    assert "Someone failed to sign in as “carol”: wrong username or password." in row
    assert "MediaNest" not in row and "signin.failed" not in row


def test_a_refused_plex_sign_in_names_the_account_and_the_reason(plex_app, plex_world):
    client = plex_app.test_client()
    plex_round_trip(client, plex_world, plex_world.stranger)
    client.post_form("/login", {"username": "owner", "password": PASSWORD})
    [row] = log_rows(client, action="signin.refused")
    assert "stranger (not signed in)" in row
    assert "stranger was refused sign-in with Plex: the server is not shared with them." in row
    assert "not_shared" not in row and "MediaNest" not in row
    assert re.search(r"Plex account id: \d+", row)


def test_creating_the_owner_on_the_setup_page_is_logged(client):
    client.get("/setup")
    form = {"username": "maria", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post_form("/setup", form, page="/setup").status_code == 302
    [row] = log_rows(client, action="owner.created")
    assert "maria was made the owner on the setup page." in row
    assert "127.0.0.1" in row


def test_the_command_line_logs_the_owner_and_each_admin_it_creates(app, client, runner):
    for name in ("maria", "ada"):
        result = runner.invoke(
            args=["medianest", "create-admin", "--username", name, "--password", PASSWORD]
        )
        assert result.exit_code == 0, result.output
    client.post_form("/login", {"username": "maria", "password": PASSWORD})
    texts = " | ".join(log_rows(client))
    assert "maria was made the owner from the command line." in texts
    assert "ada was given an admin account from the command line." in texts


def test_an_unknown_code_still_reads_as_words(app, client, auth):
    auth.owner()
    add_event(app, "backup.pruned", actor="owner", target="Nightly",
              details={"trigger": "manual"})  # fmt: skip
    auth.login()
    [row] = log_rows(client, action="backup.pruned")
    assert "Backup pruned by owner: Nightly." in row
    assert "trigger: manual" in row


def recorded_codes() -> set[str]:
    """Every action code the application writes to the log."""
    found = set()
    for path in Path(ROOT, "app").rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', text))
        found |= set(re.findall(r'"(library\.(?:hidden|shown))"', text))
        found |= set(re.findall(r'_audit\(\s*"([a-z_.]+)"', text))
    return found


def test_every_code_the_app_records_has_a_sentence():
    codes = recorded_codes()
    assert {"signin.failed", "owner.created", "invite.used", "library.hidden"} <= codes
    assert codes - set(DESCRIBERS) == set()


@pytest.mark.parametrize(
    "action, who, target, details, text",
    [
        ("signin.success", "bob", "bob", {"method": "oidc"}, "bob signed in with single sign-on."),
        ("signin.failed", None, None, {"method": "plex", "reason": "Plex said no."},
         "A sign-in with Plex failed: Plex said no."),
        ("signin.refused", None, "bob", {"method": "plex", "reason": "disabled"},
         "bob was refused sign-in with Plex: their account is disabled."),
        ("user.role_changed", None, "bob", {"old": "user", "new": "admin", "by": "oidc claim"},
         "bob's role changed from User to Admin (oidc claim)."),
        ("user.deleted", "ada", "bob", {"role": "admin"}, "ada deleted bob (an admin)."),
        ("users.imported", "ada", None, {"added": 1}, "ada imported 1 person from Plex."),
        ("invite.created", "ada", "Grandma", {"role": "user"},
         "ada created an invitation for Grandma to join as a user."),
        ("invite.used", "gran", "gran", {"method": "plex", "invited_by": "ada"},
         "gran joined with an invitation from ada, signing in with Plex."),
        ("library.webhook_rotated", "ada", "Plex webhook", {},
         "ada gave the Plex webhook a new address."),
        ("user.approved", "ada", "bob", "not a dict", "ada approved bob."),
    ],
)  # fmt: skip
def test_sentences(action, who, target, details, text):
    assert sentence(action, who, target, details)[0] == text


def test_the_log_shows_no_raw_codes(app, client, auth):
    auth.owner()
    auth.login()
    with app.app_context():
        codes = set(db.session.scalars(select(AuditEvent.action)))
    page = html.unescape(client.get("/admin/audit").text)
    visible = re.sub(r"<[^>]+>", " ", page)
    assert codes and not any(code in visible for code in codes)
