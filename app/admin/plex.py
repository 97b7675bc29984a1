"""The owner connects Plex: sign in on plex.tv, then pick the server and the address to use."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import settings
from app.admin import bp, plex_services
from app.auth import plex
from app.auth.decorators import owner_required
from app.htmx import render
from app.integrations.plextv import PlexTvError
from app.library import sync_jobs


@bp.get("/plex")
@owner_required
def plex_settings():
    return render(
        "admin/plex.html",
        plex=settings.get_many("plex."),
        sync=sync_jobs.sync_state(),
        sync_poll_url=url_for("admin.library_sync_state", bar=1),
    )


@bp.post("/plex/connect")
@owner_required
def plex_connect():
    try:
        return redirect(plex.start("connect"))
    except PlexTvError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.plex_settings"))


@bp.get("/plex/servers")
@owner_required
def plex_servers():
    try:
        servers = plex_services.servers_with_connections()
    except plex_services.ServerChoiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.plex_settings"))
    return render(
        "admin/plex_servers.html", servers=servers, chosen=settings.get("plex.machine_id")
    )


@bp.post("/plex/servers")
@owner_required
def plex_choose():
    machine_id = request.form.get("machine_id", "")
    address = request.form.get("custom_address", "").strip() or request.form.get("address", "")
    first_time = not settings.get("plex.machine_id")
    try:
        values = plex_services.choose_server(machine_id, address, actor=current_user)
    except plex_services.ServerChoiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.plex_servers"))
    flash(
        f"Connected to {values['plex.server_name']} (Plex {values['plex.server_version']}).",
        "success",
    )
    # The first time, the owner continues with the next steps; the sync's progress shows there.
    return redirect(url_for("dashboard.index" if first_time else "admin.plex_settings"))
