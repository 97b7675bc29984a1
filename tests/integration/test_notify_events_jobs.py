"""Events raised by jobs go through the notifier: downloads and subscriptions on a real worker,
health checks (service down and back, disk nearly full) and Overseerr refusing our key."""

import pytest
from sqlalchemy import func, select

from app import settings
from app.downloads import services
from app.extensions import db
from app.models import Notification, ServiceState, Subscription
from app.models.health import DOWN, TIMEOUT, UP
from app.status import probes, recorder
from app.status.disk_alert import MARK
from app.status.probes import Finding
from tests.conftest import wait_for
from tests.integration import overseerr_helpers as ov
from tests.integration.download_helpers import allow, person, settled, started_site
from tests.integration.notify_event_helpers import bell, events, only
from tests.integration.ytdlp_helpers import reset

sim, ov_app = ov.sim, ov.ov_app


@pytest.fixture(scope="module")
def site():
    server = started_site()
    yield server
    server.stop()


@pytest.fixture
def ready(app, site):
    with app.app_context():
        allow(reset(site))
        yield site


def test_a_finished_download_tells_the_downloader(app, ready, worker):
    with app.app_context():
        ann = person()
        added = services.add(ann, f"{ready.url}/feeds/top10.xml", client_token="t1")
        download = settled(added.download.id)
        assert download.status == "finished"
        event = only("download.finished")
        assert (event.user_ids, event.link) == ([ann.id], f"/downloads/{download.id}")
        [note] = bell(ann.id)
        assert note.title.startswith("Downloaded:") and note.kind == "download.finished"
        assert events("download.failed") == []


def test_a_download_with_failed_videos_tells_the_downloader(app, ready, worker):
    ready.state.switch(fail={"vs000000005": 404})
    with app.app_context():
        ann = person()
        added = services.add(ann, f"{ready.url}/feeds/pond.xml")
        assert settled(added.download.id).status == "partial"
        event = only("download.failed")
        assert event.user_ids == [ann.id] and event.data["failed"] == 1
        assert [n.title.startswith("Partly downloaded") for n in bell(ann.id)] == [True]


def test_a_subscription_check_tells_once_with_the_count(app, client, auth, site, worker):
    with app.app_context():  # not held open: the pages' requests need their own contexts
        allow(reset(site))
    ready = site
    auth.owner()
    alice = auth.create("alice")
    auth.login("alice")
    page = "/downloads/subscriptions"
    form = {"url": f"{ready.url}/channel/nestcam/feed.xml", "interval": "6h", "start_with": "2"}
    form["keep_newest"] = "2"
    response = client.post_form(page, form, page=page)
    assert response.status_code == 302
    with app.app_context():
        sub_id = db.session.scalars(select(Subscription.id)).one()

        def checked():
            db.session.expire_all()
            return db.session.get(Subscription, sub_id).last_checked_at

        wait_for(checked, timeout=60)
        event = only("subscription.new")
        assert event.user_ids == [alice] and event.data["count"] == 2
        assert event.link == f"/downloads/subscriptions/{sub_id}"
        titles = [n.title for n in bell(alice) if n.kind == "subscription.new"]
        assert titles == ["New from " + event.title.split("New from ", 1)[1]]
        assert event.title.endswith(": 2 videos")


def _only_plex(monkeypatch, found: dict):
    def probe_plex():
        if found["state"] == UP:
            return Finding("plex", "plex", "Plex", UP, detail="Plex answering", public=True)
        return Finding("plex", "plex", "Plex", DOWN, TIMEOUT, "Timed out after 5 s", public=True)

    monkeypatch.setattr(probes, "probe_plex", probe_plex)
    monkeypatch.setattr(probes, "probe_overseerr", lambda: None)
    monkeypatch.setattr(probes, "probe_kuma", lambda: [])
    monkeypatch.setattr(probes, "probe_medianest", lambda: None)


def test_a_service_down_and_back_tells_admins_once_each(app, auth, monkeypatch):
    owner, friend = auth.owner(), auth.create("friend")
    found = {"state": DOWN}
    _only_plex(monkeypatch, found)
    with app.app_context():
        for _ in range(4):
            recorder.check_all()
        found["state"] = UP
        for _ in range(3):
            recorder.check_all()
        down, up = only("service.down"), only("service.up")
        assert down.admins and down.user_ids == [owner] and down.link == "/status"
        assert down.title == "Plex is down: timed out after 5 s"
        assert up.title.startswith("Plex is back after ")
        assert [n.kind for n in bell(owner)] == ["service.down", "service.up"]
        assert bell(friend) == []


def _check_medianest() -> None:
    recorder.check_all([recorder._named("medianest", probes.probe_medianest)])


def test_disk_nearly_full_tells_admins_once_per_incident(app, auth):
    owner = auth.owner()
    with app.app_context():
        app.config.update(DISK_FULL_GB=10**7)  # more than any disk: this one is nearly full
        for _ in range(3):
            _check_medianest()
        event = only("disk.full")
        assert event.admins and event.user_ids == [owner]
        assert event.title.startswith("Disk nearly full: ") and "GB free" in event.title
        assert db.session.get(ServiceState, "medianest").info.get(MARK)
        app.config.update(DISK_FULL_GB=0, DISK_FULL_PERCENT=0)  # space freed
        _check_medianest()
        assert MARK not in db.session.get(ServiceState, "medianest").info
        assert len(events("disk.full")) == 1
        app.config.update(DISK_FULL_GB=10**7)  # a new incident
        _check_medianest()
        assert len(events("disk.full")) == 2
        assert [n.kind for n in bell(owner)].count("disk.full") == 2


def test_a_revoked_overseerr_key_is_a_system_alert_told_once(ov_app, sim):
    boss = ov.person(ov_app, sim, "boss", role="admin")
    alice = ov.person(ov_app, sim, "alice")
    ov.deliver_now(ov_app)
    sim.state.revoke_key()
    ov.ask(ov_app, alice, 21)
    ov.ask(ov_app, alice, 22)
    assert ov.deliver_now(ov_app) == ["waiting", "waiting"]
    with ov_app.app_context():
        event = only("system.alert")
        assert event.admins and event.user_ids == [boss]
        assert event.title == "Overseerr refused MediaNest's API key"
        assert event.link == "/admin/requests/settings"
        assert (
            db.session.scalar(
                select(func.count(Notification.id)).where(Notification.user_id == boss)
            )
            == 1
        )


def test_an_overseerr_refusal_fails_the_request_and_tells_the_requester(ov_app, sim):
    alice = ov.person(ov_app, sim, "alice")
    request_id = ov.ask(ov_app, alice, 1399, media_type="tv", seasons=[-1])
    assert ov.deliver_now(ov_app) == ["failed"]
    with ov_app.app_context():
        event = only("request.failed")
        assert event.user_ids == [alice] and event.link == f"/requests/{request_id}"
        assert event.body.startswith("Overseerr refused the request as invalid:")
        assert settings.get("overseerr.url") == sim.url
