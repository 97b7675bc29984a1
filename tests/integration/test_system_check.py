"""The system check job: run by a real worker, idempotent, and telling admins about incidents."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import HealthCheck, Notification
from app.models.base import utcnow
from app.models.health import DOWN, ERROR, Incident, ServiceState
from app.ops.tasks import run_system_check
from tests.conftest import wait_for


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_check_now_runs_on_a_real_worker_and_the_card_shows_the_result(
    app, client, signed_in_owner, worker
):
    html = client.get("/").get_data(as_text=True)
    assert "Not checked yet" in html
    response = client.htmx_post("/dashboard/status/check", page="/")
    assert response.status_code == 200
    assert "Checking…" in response.text
    hx = {"HX-Request": "true"}
    card = wait_for(
        lambda: (
            (html := client.get("/dashboard/status", headers=hx).text)
            and "1 running" in html  # the worker saw itself
            and html
        )
    )
    assert _count(app, HealthCheck) == 1
    for label in ("Database", "Redis", "Workers", "Queue", "Media disk"):
        assert label in card
    with app.app_context():
        medianest = db.session.get(ServiceState, "medianest")
        assert medianest is not None and medianest.checked_at is not None


def test_a_second_check_while_one_is_queued_is_not_queued_twice(app, client, signed_in_owner):
    from app.extensions import get_queue

    client.htmx_post("/dashboard/status/check", page="/")
    client.htmx_post("/dashboard/status/check", page="/")
    with app.app_context():
        assert get_queue().count == 1


def test_running_the_check_again_and_again_tells_admins_once(app, signed_in_owner):
    # No worker is running, so MediaNest is failing: one failed check only makes it pending,
    # the second opens an incident and admins hear about it once, however often it runs.
    with app.app_context():
        first = run_system_check()
        assert _count(app, Notification) == 0
        second = run_system_check()
        third = run_system_check()
    assert first["healthy"] is False and first["opened"] == []
    assert second["opened"] == ["medianest"] and third["opened"] == []
    assert _count(app, HealthCheck) == 3
    assert _count(app, Notification) == 1
    with app.app_context():
        note = db.session.scalars(select(Notification)).one()
        assert note.title.startswith("MediaNest is down: ") and note.level == "error"
        assert note.link == "/status"
        assert db.session.get(ServiceState, "medianest").state == DOWN


def test_recovery_is_announced_once(app, signed_in_owner, worker):
    started = utcnow() - timedelta(minutes=12)
    with app.app_context():
        db.session.add(
            ServiceState(
                key="medianest",
                kind="medianest",
                label="MediaNest",
                state=DOWN,
                reason=ERROR,
                detail="no worker is running",
                since=started,
                fails=3,
                info={},
            )
        )
        db.session.add(
            Incident(
                service_key="medianest",
                label="MediaNest",
                started_at=started,
                reason=ERROR,
                detail="no worker is running",
                down_notified_at=started,
            )
        )
        db.session.commit()
        result = run_system_check()
        run_system_check()
    assert result["healthy"] is True and result["closed"] == ["medianest"]
    with app.app_context():
        titles = db.session.scalars(select(Notification.title)).all()
        incident = db.session.scalars(select(Incident)).one()
    assert titles == ["MediaNest is back after 12 min"]
    assert incident.ended_at is not None and incident.up_notified_at is not None


def test_friends_are_not_told_about_system_health(app, auth, signed_in_owner):
    friend = auth.create("friend")
    with app.app_context():
        run_system_check()
        run_system_check()
    assert _count(app, Notification, Notification.user_id == friend) == 0
    assert _count(app, Notification, Notification.user_id == signed_in_owner) == 1


def test_a_full_disk_is_unhealthy(make_app):
    from tests.conftest import Accounts

    app = make_app(MIN_FREE_DISK_GB=10**9)
    Accounts(app, None).owner()
    with app.app_context():
        run_system_check()
        check = db.session.scalars(select(HealthCheck)).one()
    assert check.components["disk"]["ok"] is False
    assert "GB free" in check.components["disk"]["detail"]


def test_admin_health_history_lists_checks(app, client, signed_in_owner):
    with app.app_context():
        run_system_check()
    html = client.get("/admin/health").get_data(as_text=True)
    assert "no worker is running" in html and "Problem" in html


def test_admin_health_counts_one_check_in_the_singular_and_leaves_an_unchecked_plex_plain(
    app, client, signed_in_owner
):
    with app.app_context():
        run_system_check()
    html = client.get("/admin/health").get_data(as_text=True)
    assert "The one system check so far." in html and "1 system checks" not in html
    # Plex is not connected, so it was not checked: a plain dash, not a red problem
    assert 'class="none" data-label="Plex"' in html and 'class="bad" data-label="Plex"' not in html
    with app.app_context():
        run_system_check()
    assert "The last 2 system checks, newest first." in client.get("/admin/health").text


def test_cli_check_prints_each_component(app, runner, signed_in_owner):
    result = runner.invoke(args=["medianest", "check"])
    assert "Database" in result.output and "FAIL Workers" in result.output
    assert result.exit_code == 1  # no worker: not healthy


def test_a_checking_card_keeps_asking_until_the_check_is_done(app, client, signed_in_owner, worker):
    checking = client.htmx_post("/dashboard/status/check", page="/").text
    assert 'hx-trigger="every 3s"' in checking and "Checking…" in checking
    hx = {"HX-Request": "true"}
    settled = wait_for(
        lambda: (
            (html := client.get("/dashboard/status", headers=hx).text)
            and "every 3s" not in html
            and html
        ),
        timeout=30,
    )
    assert "Checking…" not in settled and "Not checked yet" not in settled
