"""The circuit breaker every process shares: it stops calling, probes once, and lets all go."""

import time

import pytest

from app.extensions import redis_conn
from app.integrations.overseerr import Breaker, CircuitOpen, OverseerrClient, Unreachable
from simulators.overseerr import OverseerrSimulator


@pytest.fixture
def sim():
    with OverseerrSimulator() as simulator:
        yield simulator


def make_client(sim, breaker):
    client = OverseerrClient(sim.url, sim.state.api_key, timeout=1, breaker=breaker)
    client.recovered = 0

    def recovered():
        client.recovered += 1

    client.on_recovered = recovered
    return client


def test_after_failures_calls_stop_then_one_probe_lets_everything_go(app, sim):
    with app.app_context():
        breaker = Breaker(redis_conn(), failures=2, seconds=0.5)
        client = make_client(sim, breaker)
        sim.go_away()
        for _ in range(2):
            with pytest.raises(Unreachable):
                client.me()
        sim.come_back()
        calls = len(sim.state.calls)
        with pytest.raises(CircuitOpen) as held:
            client.me()
        assert "try again shortly" in str(held.value)
        assert len(sim.state.calls) == calls  # not even tried
        time.sleep(0.6)
        assert client.me()["id"] == 1  # the probe passed, then the call itself
        assert [c[1] for c in sim.state.calls[calls:]] == ["/api/v1/status", "/api/v1/auth/me"]
        assert client.recovered == 1
        assert not breaker.is_open()


def test_a_failed_probe_keeps_it_open_and_only_one_probe_runs_at_a_time(app, sim):
    with app.app_context():
        breaker = Breaker(redis_conn(), failures=1, seconds=0.3)
        client = make_client(sim, breaker)
        sim.go_away()
        with pytest.raises(Unreachable):
            client.status()
        time.sleep(0.35)
        with pytest.raises(CircuitOpen):
            client.status()  # probed, still down
        assert breaker.is_open()
        sim.come_back()
        time.sleep(0.35)
        redis_conn().set(f"{breaker.prefix}:probe", "1", ex=5)  # another process is probing
        with pytest.raises(CircuitOpen):
            client.status()
        redis_conn().delete(f"{breaker.prefix}:probe")
        assert client.status()["version"] == "1.34.0"
        assert client.recovered == 1


def test_refusals_do_not_count_as_failures(app, sim):
    with app.app_context():
        breaker = Breaker(redis_conn(), failures=1, seconds=30)
        client = make_client(sim, breaker)
        sim.state.status_override = 409
        for _ in range(3):
            with pytest.raises(Exception) as refused:
                client.create_request({"mediaType": "movie", "mediaId": 1}, as_user=None)
            assert "already has this request" in str(refused.value)
        assert not breaker.is_open()
