"""Loopback stand-ins for the outside services MediaNest talks to (tests and demo mode)."""

from simulators.registry import SIMULATORS, Simulator, start_all
from simulators.server import SimulatorServer

__all__ = ["SIMULATORS", "Simulator", "SimulatorServer", "start_all"]
