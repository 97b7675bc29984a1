"""The simulators demo mode starts, and the settings each one stands in for."""

from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.server import SimulatorServer


@dataclass(frozen=True)
class Simulator:
    name: str
    make_app: Callable[[], object]
    # MEDIANEST_* variables to point at the running simulator; "{url}" is replaced by its address.
    settings: dict[str, str] = field(default_factory=dict)


# Each outside service's simulator registers here as it is written.
SIMULATORS: list[Simulator] = []


def start_all(simulators=None) -> tuple[list[SimulatorServer], dict[str, str]]:
    """Start the simulators; return their servers and the environment that points at them."""
    servers, environ = [], {}
    for simulator in SIMULATORS if simulators is None else simulators:
        server = SimulatorServer(simulator.make_app()).start()
        servers.append(server)
        for name, template in simulator.settings.items():
            environ[name] = template.format(url=server.url)
    return servers, environ
