"""Each probe against its simulator: what it finds when a service works, and why not."""

import socket

import pytest

from app import settings
from app.extensions import db
from app.models.health import BAD_ANSWER, BAD_KEY, DOWN, MAINTENANCE, PENDING, REFUSED, TIMEOUT, UP
from app.models.library import LibrarySection, MediaItem
from app.status import probes
from simulators import SimulatorServer
from simulators import plex_server as pms
from simulators.overseerr import OverseerrSimulator
from simulators.plex_sessions import PlaySession
from simulators.uptime_kuma import KumaSimulator, KumaState
from simulators.uptime_kuma import demo_state as kuma_demo

TOKEN = "owner-token"
FAST = {"HEALTH_TIMEOUT": 0.5, "UPTIME_KUMA_TIMEOUT": 0.5}


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def fast_app(make_app):
    return make_app(**FAST)


@pytest.fixture
def plex(fast_app):
    """A Plex Media Server the app is connected to, with a show and a movie playing."""
    state = pms.PlexServerState(name="Living Room", tokens={TOKEN})
    state.sessions = [
        PlaySession(
            "alice",
            "The One Where",
            type="episode",
            show="Friends",
            season=1,
            episode=2,
            view_offset=600_000,
            duration=1_200_000,
            transcode=True,
            player="Phone",
        ),
        PlaySession("bob", "Heat", year=1995, state="paused", view_offset=0),
    ]
    with SimulatorServer(pms.create_app(state)) as server:
        with fast_app.app_context():
            settings.put(
                {
                    "plex.server_url": server.url,
                    "plex.owner_token": TOKEN,
                    "plex.machine_id": state.machine_identifier,
                }
            )
        yield state


def plex_finding(app):
    with app.app_context():
        return probes.probe_plex()


def test_no_plex_connected_has_no_finding(fast_app):
    assert plex_finding(fast_app) is None


def test_plex_up_with_its_version_streams_and_catalog_counts(fast_app, plex):
    with fast_app.app_context():
        shown = LibrarySection(key="1", title="Movies", type="movie")
        hidden = LibrarySection(key="2", title="Private", type="movie", hidden=True)
        db.session.add_all([shown, hidden])
        db.session.flush()
        for key in range(3):
            db.session.add(
                MediaItem(rating_key=key + 1, section_id=shown.id, type="movie", title="M")
            )
        db.session.add(MediaItem(rating_key=9, section_id=hidden.id, type="movie", title="H"))
        db.session.commit()
    found = plex_finding(fast_app)
    assert found.state == UP and found.public
    assert found.info["version"] == pms.DEFAULT_VERSION
    assert found.detail == f"Living Room answering (Plex {pms.DEFAULT_VERSION})"
    assert found.info["counts"] == {"movie": 3}  # a hidden library's items are not counted
    assert found.ms is not None and found.ms >= 0
    episode, movie = found.info["streams"]
    assert episode == {
        "user": "alice",
        "title": "Friends",
        "subtitle": "S1E2 · The One Where",
        "player": "Phone",
        "state": "playing",
        "progress": 0.5,
        "quality": "Transcode",
    }
    assert movie["title"] == "Heat" and movie["subtitle"] == "1995"
    assert movie["state"] == "paused" and movie["quality"] == "Direct play"


def test_plex_with_nothing_playing_has_an_empty_list(fast_app, plex):
    plex.sessions = []
    assert plex_finding(fast_app).info["streams"] == []


@pytest.mark.parametrize("fault", ["missing", "garbage"])
def test_plex_without_a_sessions_answer_is_still_up(fast_app, plex, fault):
    plex.sessions_fault = fault
    found = plex_finding(fast_app)
    assert found.state == UP and found.info["streams"] is None


@pytest.mark.parametrize(
    ("switch", "value", "reason", "words"),
    [
        ("down", True, BAD_ANSWER, "HTTP 503"),
        ("status_override", 500, BAD_ANSWER, "HTTP 500"),
        ("garbage", True, BAD_ANSWER, "not Plex"),
        ("slow_seconds", 1.5, TIMEOUT, "within 0.5 s"),
    ],
)
def test_plex_failures_each_say_why(fast_app, plex, switch, value, reason, words):
    setattr(plex, switch, value)
    found = plex_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, reason)
    assert words in found.detail


def test_plex_refusing_the_token_says_where_to_fix_it(fast_app, plex):
    plex.tokens = {"another"}
    found = plex_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, BAD_KEY)
    assert "Admin → Plex server" in found.detail


def test_plex_gone_is_refused(fast_app):
    with fast_app.app_context():
        settings.put({"plex.server_url": closed_port_url(), "plex.owner_token": TOKEN})
    found = plex_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, REFUSED)


def test_plex_answering_as_another_server_is_a_bad_answer(fast_app, plex):
    with fast_app.app_context():
        settings.put({"plex.machine_id": "f" * 40})
    found = plex_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, BAD_ANSWER)
    assert "another Plex server" in found.detail


# -- Overseerr -----------------------------------------------------------------------------------


@pytest.fixture
def overseerr(fast_app):
    with OverseerrSimulator() as sim:
        with fast_app.app_context():
            settings.put({"overseerr.url": sim.url, "overseerr.api_key": sim.state.api_key})
        yield sim


def overseerr_finding(app):
    with app.app_context():
        return probes.probe_overseerr()


def test_overseerr_up_with_version_and_pending_requests(fast_app, overseerr):
    admin = overseerr.state.users[1]
    for tmdb_id in (11, 12):
        overseerr.state.create_request(admin, {"mediaType": "movie", "mediaId": tmdb_id})
    pending = sum(1 for r in overseerr.state.requests.values() if r.status == 1)
    found = overseerr_finding(fast_app)
    assert found.state == UP and found.public
    assert found.info == {"version": "1.34.0", "pending": pending}
    assert found.detail == "Overseerr 1.34.0 answering"


def test_no_overseerr_set_up_has_no_finding(fast_app):
    assert overseerr_finding(fast_app) is None


@pytest.mark.parametrize(
    ("switch", "value", "reason"),
    [
        ("down", True, BAD_ANSWER),
        ("garbage", "html", BAD_ANSWER),
        ("garbage", "broken", BAD_ANSWER),
        ("slow_seconds", 1.5, TIMEOUT),
    ],
)
def test_overseerr_failures_each_say_why(fast_app, overseerr, switch, value, reason):
    setattr(overseerr.state, switch, value)
    found = overseerr_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, reason)
    assert found.detail


def test_overseerr_refusing_the_key_says_where_to_fix_it(fast_app, overseerr):
    with fast_app.app_context():
        settings.put({"overseerr.api_key": "wrong"})
    found = overseerr_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, BAD_KEY)
    assert "Admin → Request" in found.detail


def test_overseerr_gone_is_refused_and_the_requests_breaker_is_untouched(fast_app, overseerr):
    from app.integrations.overseerr import breaker

    overseerr.go_away()
    for _ in range(6):
        found = overseerr_finding(fast_app)
    assert (found.state, found.reason) == (DOWN, REFUSED)
    with fast_app.app_context():
        assert not breaker().is_open()


# -- Uptime Kuma ---------------------------------------------------------------------------------


@pytest.fixture
def kuma(fast_app):
    with KumaSimulator(kuma_demo()) as sim:
        with fast_app.app_context():
            settings.put({"kuma.url": sim.url, "kuma.slug": "home"})
        yield sim


def kuma_findings(app):
    with app.app_context():
        return probes.probe_kuma()


def test_no_kuma_set_up_has_no_findings(fast_app):
    assert kuma_findings(fast_app) == []


def test_kuma_and_each_monitor_with_its_state_pings_and_uptime(fast_app, kuma):
    kuma.state.set_status(3, 0, "connect ECONNREFUSED 10.0.0.1:80")
    with fast_app.app_context():
        settings.put({"kuma.public_monitors": "1,2"})
    found = kuma_findings(fast_app)
    itself, monitors = found[0], {f.key: f for f in found[1:]}
    assert (itself.key, itself.kind, itself.state, itself.public) == ("kuma", "kuma", UP, False)
    assert itself.label == "Uptime Kuma"
    assert itself.detail == "Status page 'Home' with 6 monitors in 2 groups"
    assert itself.info["incidents"][0]["title"] == "Slow Internet this evening"
    assert itself.info["maintenance"][0]["title"] == "NAS disk replacement"
    assert sorted(monitors) == [f"kuma:{i}" for i in range(1, 7)]
    plex = monitors["kuma:1"]
    assert (plex.kind, plex.label, plex.state, plex.public) == ("monitor", "Plex", UP, True)
    assert plex.info["group"] == "Media" and plex.info["uptime_24"] == 1.0
    assert len(plex.info["pings"]) == 30 and all(p > 0 for p in plex.info["pings"])
    assert plex.info["last_ping_at"].endswith("+00:00")
    router = monitors["kuma:3"]
    assert (router.state, router.reason, router.public) == (DOWN, REFUSED, False)
    assert router.detail == "connect ECONNREFUSED 10.0.0.1:80"
    assert router.info["pings"][-1] is None
    assert monitors["kuma:6"].state == MAINTENANCE


def test_a_monitor_without_beats_is_pending(fast_app, kuma):
    kuma.state.add_monitor("New one", "Media")
    found = {f.key: f for f in kuma_findings(fast_app)}
    assert (found["kuma:7"].state, found["kuma:7"].detail) == (PENDING, "No heartbeat yet")


def test_kuma_up_to_2_0_with_one_incident_object(fast_app, kuma):
    kuma.state.old_shape = True
    kuma.state.add_incident("Router replaced", "All fine again", style="info")
    itself = kuma_findings(fast_app)[0]
    assert [i["title"] for i in itself.info["incidents"]] == ["Router replaced"]


def test_an_unknown_slug_is_named(fast_app, kuma):
    with fast_app.app_context():
        settings.put({"kuma.slug": "nope"})
    (itself,) = kuma_findings(fast_app)
    assert (itself.state, itself.reason) == (DOWN, BAD_ANSWER)
    assert itself.detail == "No status page called nope on this Uptime Kuma."


@pytest.mark.parametrize(
    ("switch", "value", "reason", "words"),
    [
        ("down", True, BAD_ANSWER, "HTTP 503"),
        ("garbage", "html", BAD_ANSWER, "web page"),
        ("garbage", "broken", BAD_ANSWER, "not JSON"),
        ("garbage", "nested", BAD_ANSWER, "nested too deep"),
        ("garbage", "huge", BAD_ANSWER, "over 2 MB"),
        ("garbage", "shape", BAD_ANSWER, "not a status page"),
        ("slow_seconds", 1.5, TIMEOUT, "within 0.5 s"),
    ],
)
def test_kuma_failures_give_only_its_own_finding_saying_why(
    fast_app, kuma, switch, value, reason, words
):
    setattr(kuma.state, switch, value)
    (itself,) = kuma_findings(fast_app)
    assert (itself.key, itself.state, itself.reason) == ("kuma", DOWN, reason)
    assert words in itself.detail


def test_kuma_gone_is_refused(fast_app, kuma):
    kuma.go_away()
    (itself,) = kuma_findings(fast_app)
    assert (itself.state, itself.reason) == (DOWN, REFUSED)


def test_a_status_page_of_thousands_of_monitors_is_cut_at_500(fast_app):
    state = KumaState()
    for number in range(600):
        state.add_monitor(f"m{number}", f"g{number % 3}")
    state.tick()
    with KumaSimulator(state) as sim:
        with fast_app.app_context():
            settings.put({"kuma.url": sim.url, "kuma.slug": "home"})
        found = kuma_findings(fast_app)
    assert len(found) == 1 + 500


# -- MediaNest -----------------------------------------------------------------------------------


def test_medianest_up_with_its_web_process_and_worker(fast_app, worker):
    fast_app.test_client().get("/health")  # a request: this process says it is alive
    with fast_app.app_context():
        found = probes.probe_medianest()
    components = found.info["components"]
    assert found.state == UP and found.public
    assert list(components) == ["web", "database", "redis", "workers", "queue", "disk"]
    assert components["web"] == {"ok": True, "detail": "1 running", "value": 1}
    assert components["workers"]["value"] == 1


def test_medianest_without_a_worker_is_down_and_says_so(fast_app):
    with fast_app.app_context():
        found = probes.probe_medianest()
    assert found.state == DOWN
    assert "Workers: no worker is running" in found.detail
    assert found.info["components"]["web"]["ok"] is False  # nothing served a request yet


def test_demo_mode_has_two_streams_on_plex_and_a_kuma_with_an_incident(make_app):
    from simulators import start_all
    from simulators.registry import demo_plex_connection

    servers, environ = start_all()
    try:
        app = make_app(
            UPTIME_KUMA_URL=environ["MEDIANEST_UPTIME_KUMA_URL"],
            UPTIME_KUMA_SLUG=environ["MEDIANEST_UPTIME_KUMA_SLUG"],
        )
        plex = demo_plex_connection()
        with app.app_context():
            from app.admin.status_settings_services import provision_from_environment

            provision_from_environment()
            settings.put(
                {
                    "plex.server_url": plex["MEDIANEST_PLEX_URL"],
                    "plex.owner_token": plex["MEDIANEST_PLEX_TOKEN"],
                }
            )
            found_plex = probes.probe_plex()
            found_kuma = probes.probe_kuma()
    finally:
        for server in servers:
            server.stop()
    assert found_plex.state == UP
    assert [s["user"] for s in found_plex.info["streams"]] == ["alice", "bob"]
    itself, monitors = found_kuma[0], found_kuma[1:]
    assert itself.state == UP and len(monitors) == 6
    assert itself.info["incidents"] and itself.info["maintenance"]
    assert {m.state for m in monitors} >= {UP, MAINTENANCE}


def test_plex_sessions_need_the_token_like_every_other_endpoint(fast_app, plex):
    import requests

    with fast_app.app_context():
        url = settings.get("plex.server_url")
    headers = {"Accept": "application/json"}
    assert requests.get(f"{url}/status/sessions", headers=headers, timeout=5).status_code == 401
    answer = requests.get(
        f"{url}/status/sessions", headers={**headers, "X-Plex-Token": TOKEN}, timeout=5
    ).json()
    assert answer["MediaContainer"]["size"] == 2
    assert (
        answer["MediaContainer"]["Metadata"][0]["TranscodeSession"]["videoDecision"] == "transcode"
    )
    xml = requests.get(f"{url}/status/sessions", headers={"X-Plex-Token": TOKEN}, timeout=5).text
    assert '<MediaContainer size="2">' in xml and "<Video " in xml
