"""MediaNest's start: MEDIANEST_NOTIFY_URLS become channels (the environment is the truth for
them), MEDIANEST_SMTP_URL/_SMTP_FROM and _PUBLIC_URL seed the email settings."""

import logging
import re

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models.notify import NotifyChannel
from app.notify import channels
from app.notify.links import absolute
from app.notify.setup import provision_from_environment, split_urls

HOOK = "json://hooks.example.com/a?-X-Token=t0ken"
MAIL = "mailtos://u:pw@smtp.example.com:587?from=m@example.com&to=a@example.com,b@example.com"
NTFY = "ntfy://ntfy.example.com/alerts"


def environment_channels() -> list[tuple]:
    rows = db.session.scalars(select(NotifyChannel).order_by(NotifyChannel.id))
    return [(r.id, channels.url_of(r), r.from_environment, r.admin_alerts) for r in rows]


@pytest.mark.parametrize(
    "raw, urls",
    [
        ("", []),
        (f"{HOOK},{NTFY}", [HOOK, NTFY]),
        (f"{MAIL}, {NTFY}", [MAIL, NTFY]),
        (f" {NTFY} ,, {MAIL} ", [NTFY, MAIL]),
    ],
)
def test_urls_are_split_on_commas_that_start_a_new_url(raw, urls):
    assert split_urls(raw) == urls


def test_the_environment_urls_become_admin_alert_channels(make_app, caplog):
    app = make_app(NOTIFY_URLS=f"{HOOK}, zzz://not-apprise, {MAIL}")
    with app.app_context(), caplog.at_level(logging.WARNING):
        provision_from_environment()
        found = environment_channels()
        assert [(url, env, alerts) for _id, url, env, alerts in found] == [
            (HOOK, True, True),
            (MAIL, True, True),
        ]
        ours = " ".join(r.getMessage() for r in caplog.records if r.name == "app.notify.setup")
        assert "URL number 2 skipped" in ours and "not-apprise" not in ours
        assert "t0ken" not in " ".join(r.summary for r in db.session.scalars(select(NotifyChannel)))
        first_ids = [row[0] for row in found]
    # The next start with one URL removed and one added: the unchanged one keeps its id.
    again = make_app(NOTIFY_URLS=f"{MAIL},{NTFY}")
    with again.app_context():
        db.session.add(NotifyChannel(name="Mine", kind="json", secret_url=channels.encrypt(HOOK)))
        db.session.commit()
        provision_from_environment()
        found = environment_channels()
        by_url = {url: (ident, env) for ident, url, env, _alerts in found}
        assert by_url[MAIL] == (first_ids[1], True)
        assert by_url[NTFY][1] is True and by_url[HOOK][1] is False  # the admin's own stays
        assert len(found) == 3


def test_smtp_settings_are_seeded_and_bad_ones_skipped(make_app, caplog):
    app = make_app(
        SMTP_URL="smtp://mailer:pw@smtp.example.com:587",
        SMTP_FROM="MediaNest <m@example.com>",
        PUBLIC_URL="https://media.example.com/",
    )
    with app.app_context():
        provision_from_environment()
        assert settings.get("notify.smtp_url") == "smtp://mailer:pw@smtp.example.com:587"
        assert settings.get("notify.smtp_from") == "MediaNest <m@example.com>"
        assert settings.get("instance.public_url") == "https://media.example.com"
    later = make_app(SMTP_URL="ftp://nope", PUBLIC_URL="https://other.example.com")
    with later.app_context(), caplog.at_level(logging.WARNING):
        provision_from_environment()
        assert settings.get("notify.smtp_url") == "smtp://mailer:pw@smtp.example.com:587"
        assert settings.get("instance.public_url") == "https://media.example.com"  # not empty
        assert "MEDIANEST_SMTP_URL ignored" in caplog.text and "pw@" not in caplog.text


def test_the_address_the_owner_sets_up_from_becomes_the_links_address(make_app):
    app = make_app()
    client = app.test_client()
    home = "http://media.home.example:8000"
    page = client.get("/setup", base_url=home).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    form = {"csrf_token": token, "username": "owner", "password": "x" * 12, "confirm": "x" * 12}
    assert client.post("/setup", data=form, base_url=home).status_code == 302
    with app.app_context():
        assert settings.get("instance.public_url") == home
        assert absolute("/requests/4") == home + "/requests/4"
