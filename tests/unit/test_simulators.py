"""The simulator server helper and demo-mode wiring."""

import requests

from simulators import Simulator, SimulatorServer, start_all


def hello_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"hello from {environ['PATH_INFO']}".encode()]


def test_a_simulator_serves_on_a_free_loopback_port_until_stopped():
    with SimulatorServer(hello_app) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        assert requests.get(server.url + "/pins", timeout=5).text == "hello from /pins"
    try:
        requests.get(server.url, timeout=1)
        raised = False
    except requests.ConnectionError:
        raised = True
    assert raised, "the port is closed after stop()"


def test_demo_mode_points_settings_at_the_running_simulators():
    fake = Simulator("plex.tv", lambda: hello_app, {"MEDIANEST_PLEX_TV_URL": "{url}/"})
    servers, environ = start_all([fake])
    try:
        url = environ["MEDIANEST_PLEX_TV_URL"]
        assert url == servers[0].url + "/"
        assert requests.get(url + "api", timeout=5).text == "hello from /api"
    finally:
        for server in servers:
            server.stop()
