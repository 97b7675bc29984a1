"""The owner connects Plex: sign in on plex.tv, then pick the server and the address to use."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import settings
from app.admin import bp, plex_services
from app.auth import plex
from app.auth.decorators import owner_required
from app.htmx import render
from app.integrations.plextv import PlexTvError


@bp.get("/plex")
@owner_required
def plex_settings():
    return render("admin/plex.html", plex=settings.get_many("plex."))


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
    try:
        values = plex_services.choose_server(machine_id, address, actor=current_user)
    except plex_services.ServerChoiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.plex_servers"))
    flash(
        f"Connected to {values['plex.server_name']} (Plex {values['plex.server_version']}).",
        "success",
    )
    return redirect(url_for("admin.plex_settings"))
