"""Choosing the Plex server: the owner's servers, their working addresses, the choice."""

import logging

from flask import current_app

from app import settings
from app.auth.plex import plextv
from app.integrations.plex_server import (
    PlexServerError,
    machine_id_at,
    ranked_connections,
    read_identity,
)
from app.integrations.plextv import PlexServerResource, PlexTvError

log = logging.getLogger(__name__)


class ServerChoiceError(Exception):
    """The chosen server or address cannot be used; the message says why."""


def owned_servers() -> list[PlexServerResource]:
    token = settings.get("plex.owner_token")
    if not token:
        raise ServerChoiceError("Connect your Plex account first.")
    try:
        return [s for s in plextv().servers(token) if s.owned]
    except PlexTvError as exc:
        raise ServerChoiceError(str(exc)) from None


def servers_with_connections() -> list[tuple[PlexServerResource, list]]:
    """Each owned server with its addresses tested from here (working ones first)."""
    return [(server, ranked_connections(server)) for server in owned_servers()]


def choose_server(machine_id: str, address: str, *, actor) -> dict:
    """Check the address answers as that server with the owner's token, then store it."""
    server = next((s for s in owned_servers() if s.machine_id == machine_id), None)
    if server is None:
        raise ServerChoiceError("That server is not one of yours on plex.tv. Reload the list.")
    address = address.strip().rstrip("/")
    if not address.startswith(("http://", "https://")):
        raise ServerChoiceError("The address must start with http:// or https://.")
    # The owner's token goes only to an address that has shown itself to be this server.
    if machine_id_at(address) != machine_id:
        raise ServerChoiceError(
            f"{address} did not answer as {server.name}: check the address and that the server"
            " is running. MediaNest sent it no token."
        )
    try:
        identity = read_identity(address, settings.get("plex.owner_token"))
    except PlexServerError as exc:
        raise ServerChoiceError(str(exc)) from None
    if identity.machine_id != machine_id:
        raise ServerChoiceError(f"{address} is a different Plex server ({identity.name}).")
    return _store(address, identity, actor)


def _store(address: str, identity, actor) -> dict:
    """Keep the server's address and identity, and start reading its libraries at once."""
    values = {
        "plex.server_url": address,
        "plex.machine_id": identity.machine_id,
        "plex.server_name": identity.name,
        "plex.server_version": identity.version,
    }
    settings.put(values, actor=actor)
    # The webhook address exists from the moment Plex is connected, before any page shows it.
    from app.library.services import webhook_secret
    from app.library.sync_jobs import start_full_sync

    webhook_secret()
    # The first full sync starts now rather than at night; a Redis outage only delays it.
    start_full_sync()
    # Plex's dashboard card appears at once rather than at the next scheduled check.
    from app.dashboard.services import request_check

    request_check()
    return values


def provision_from_environment() -> str | None:
    """Configure the server from MEDIANEST_PLEX_URL and _TOKEN; returns a problem, or None."""
    url, token = current_app.config["PLEX_URL"], current_app.config["PLEX_TOKEN"]
    if not (url and token):
        return None
    try:
        identity = read_identity(url.rstrip("/"), token)
    except PlexServerError as exc:
        return str(exc)
    changes = {"plex.owner_token": token}
    try:
        changes["plex.owner_account_id"] = str(plextv().account(token).id)
    except PlexTvError as exc:
        log.warning("Could not read the owner's Plex account (%s); will retry at next start", exc)
    settings.put(changes)
    _store(url.rstrip("/"), identity, None)
    return None
