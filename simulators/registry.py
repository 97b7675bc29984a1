"""The simulators demo mode starts, and the settings each one stands in for."""

from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.server import SimulatorServer


@dataclass(frozen=True)
class Simulator:
    name: str
    make_app: Callable[[], object]
    # MEDIANEST_* variables to point at the running simulator; "{url}" is replaced by its address
    # and "{host}" by its host:port.
    settings: dict[str, str] = field(default_factory=dict)
    # Called with the simulator's address once it runs, for simulators that tell others about it.
    on_start: Callable[[str], None] | None = None


# Demo mode's Plex world, kept so the runner can tell MediaNest where this run's server is.
DEMO_PLEX: dict = {}


def _plex_simulators() -> list[Simulator]:
    """Return demo plex.tv and the demo server it lists, sharing one state."""
    from simulators import plex_server, plextv

    state, server = plextv.demo_state()
    server.library.sessions = demo_sessions()
    DEMO_PLEX.update(state=state, server=server)
    return [
        Simulator(
            "plex.tv",
            lambda: plextv.create_app(state),
            {"MEDIANEST_PLEX_TV_URL": "{url}", "MEDIANEST_PLEX_APP_URL": "{url}"},
        ),
        Simulator(
            "Plex Media Server",
            lambda: plex_server.create_app(server),
            {
                "MEDIANEST_YOUTUBE_LIBRARY": "YouTube",
                "MEDIANEST_HOME_VIDEOS_LIBRARY": "Home Videos",
            },
            on_start=lambda url: server.set_connections([url]),
        ),
    ]


def demo_sessions() -> list:
    """Demo Plex's streams: a friend watching a show, another with a movie paused."""
    from simulators.plex_sessions import PlaySession

    return [
        PlaySession(
            "alice",
            "Pilot",
            type="episode",
            show="Northern Lights",
            season=1,
            episode=1,
            view_offset=1_260_000,
            duration=2_700_000,
            player="Alice's phone",
            product="Plex for iOS",
            transcode=True,
        ),
        PlaySession("bob", "Harbour Nights", year=2021, state="paused", view_offset=3_000_000),
    ]


DEMO_OVERSEERR: dict = {}


def _overseerr_simulator() -> Simulator:
    """Demo Overseerr: the demo Plex accounts as its users; it webhooks this MediaNest."""
    import os

    from simulators import overseerr

    port = os.environ.get("MEDIANEST_PORT", "8000")
    state = overseerr.demo_state(DEMO_PLEX["state"], f"http://127.0.0.1:{port}")
    DEMO_OVERSEERR["state"] = state
    return Simulator(
        "Overseerr",
        lambda: overseerr.create_app(state),
        {
            "MEDIANEST_OVERSEERR_URL": "{url}",
            "MEDIANEST_OVERSEERR_API_KEY": state.api_key,
            "MEDIANEST_OVERSEERR_WEBHOOK_AUTH": overseerr.DEMO_WEBHOOK_AUTH,
        },
    )


def _tmdb_simulator() -> Simulator:
    from simulators import tmdb

    environ = {"MEDIANEST_TMDB_URL": "{url}/3", "MEDIANEST_TMDB_IMAGE_URL": "{url}/t/p"}
    environ["MEDIANEST_TMDB_API_KEY"] = tmdb.DEMO_API_KEY
    return Simulator("TMDB", tmdb.create_app, environ)


def _video_simulator() -> Simulator:
    """The demo video site; MediaNest may download from it (a loopback host must be named)."""
    from simulators import video_source

    environ = {"MEDIANEST_DEMO_VIDEO_URL": "{url}", "MEDIANEST_DOWNLOAD_ALLOWED_HOSTS": "{host}"}
    return Simulator("video site", video_source.create_app, environ)


DEMO_KUMA: dict = {}


def _kuma_simulator() -> Simulator:
    """Demo Uptime Kuma: six monitors, one of them down now and then, an incident, a maintenance."""
    from simulators import uptime_kuma

    state = uptime_kuma.demo_state()
    DEMO_KUMA["state"] = state
    return Simulator(
        "Uptime Kuma",
        lambda: uptime_kuma.create_app(state),
        {"MEDIANEST_UPTIME_KUMA_URL": "{url}", "MEDIANEST_UPTIME_KUMA_SLUG": state.slug},
        on_start=lambda _url: uptime_kuma.start_flapping(state),
    )


def _mailbox_simulator() -> Simulator:
    """Demo email and webhook receiver: what MediaNest sends, shown on the mailbox's page."""
    from simulators import mailbox

    environ = {
        "MEDIANEST_SMTP_URL": mailbox.SMTP.url,
        "MEDIANEST_SMTP_FROM": "MediaNest demo <medianest@demo.invalid>",
        "MEDIANEST_NOTIFY_URLS": "json://{host}/hook",
    }
    return Simulator(
        "Demo mailbox", mailbox.create_app, environ, on_start=lambda _url: mailbox.start_smtp()
    )


def _bucket_simulator() -> Simulator:
    """Demo S3-compatible bucket, where Admin → Backups sends its copies."""
    from simulators import bucket

    return Simulator(
        "S3 bucket",
        bucket.create_app,
        {"MEDIANEST_DEMO_BUCKET_URL": "{url}"},
        on_start=bucket.make_bucket,
    )


# Each outside service's simulator registers here as it is written.
SIMULATORS: list[Simulator] = [
    *_plex_simulators(),
    _tmdb_simulator(),
    _overseerr_simulator(),
    _video_simulator(),
    _kuma_simulator(),
    _mailbox_simulator(),
    _bucket_simulator(),
]


def demo_plex_connection() -> dict[str, str]:
    """The MEDIANEST_PLEX_URL and _TOKEN of the running demo server, once it has an address."""
    server = DEMO_PLEX.get("server")
    if server is None or not server.connections:
        return {}
    return {"MEDIANEST_PLEX_URL": server.connections[0], "MEDIANEST_PLEX_TOKEN": server.owner.token}


def start_all(simulators=None) -> tuple[list[SimulatorServer], dict[str, str]]:
    """Start the simulators; return their servers and the environment that points at them."""
    servers, environ = [], {}
    for simulator in SIMULATORS if simulators is None else simulators:
        server = SimulatorServer(simulator.make_app()).start()
        servers.append(server)
        if simulator.on_start is not None:
            simulator.on_start(server.url)
        for name, template in simulator.settings.items():
            environ[name] = template.format(url=server.url, host=f"127.0.0.1:{server.port}")
    return servers, environ
