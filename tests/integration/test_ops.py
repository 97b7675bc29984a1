"""Health, readiness and metrics."""

import pytest

from app.jobs import record_job_metric


def test_health_is_always_ok(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_when_database_and_redis_answer(client):
    response = client.get("/ready")
    assert response.status_code == 200 and response.json["status"] == "ready"


@pytest.fixture
def people(auth):
    auth.owner()
    auth.create("friend")
    return auth


@pytest.mark.parametrize("who", ["anonymous", "friend"])
def test_metrics_refuse_non_admins(client, people, who):
    if who == "friend":
        people.login("friend")
    response = client.get("/metrics")
    assert response.status_code == 401
    assert "MEDIANEST_METRICS_TOKEN" in response.get_data(as_text=True)


def test_metrics_for_admins_cover_requests_jobs_and_queues(app, client, people):
    people.login()
    client.get("/")
    with app.app_context():
        record_job_metric("app.ops.tasks.run_system_check", "finished", 0.3)
    text = client.get("/metrics").get_data(as_text=True)
    labels = 'endpoint="dashboard.index",method="GET",status="200"'
    assert "medianest_http_requests_total{" + labels + "}" in text
    assert "medianest_http_request_duration_seconds_bucket" in text
    assert 'medianest_jobs_total{job="run_system_check",outcome="finished"} 1.0' in text
    assert 'medianest_job_duration_seconds_bucket{job="run_system_check",le="0.5"} 1.0' in text
    assert 'medianest_queue_depth{queue="default"} 0.0' in text
    assert "medianest_workers 0.0" in text


def test_metrics_with_the_bearer_token(make_app):
    app = make_app(METRICS_TOKEN="s3cret-token")
    from tests.conftest import Accounts

    Accounts(app, None).owner()
    client = app.test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200 and "medianest_queue_depth" in response.text
