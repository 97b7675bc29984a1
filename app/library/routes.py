"""The admin's library page and Plex's webhook."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import settings
from app.admin import bp as admin_bp
from app.auth.decorators import admin_required
from app.bounded import load_json, parse_id
from app.extensions import csrf, limiter
from app.forms import accepts_files
from app.htmx import fragment_of, render, wants_fragment
from app.jobs import enqueue
from app.library import bp, services, sync_jobs, tasks

WEBHOOK_EVENTS = {"library.new"}


@admin_bp.get("/library")
@admin_required
def library():
    return render("admin/library.html", **sync_jobs.page_context())


@admin_bp.post("/library/sync")
@admin_required
def library_sync():
    problem = sync_jobs.start_full_sync(actor=current_user)
    if not wants_fragment():
        if problem:
            flash(problem, "error")
        return redirect(url_for("admin.library"))
    state = {"problem": problem} if problem else sync_jobs.sync_state() or {"queued": True}
    state.setdefault("poll", not problem)
    html = render_template("library/_sync_progress.html", **state)
    return html, 503 if problem else 200


@admin_bp.get("/library/sync")
@admin_required
@fragment_of("admin.library")
def library_sync_state():
    """The sync bar as it is now; once no sync is busy, the libraries and history with it."""
    state = sync_jobs.sync_state()
    if state or request.args.get("bar"):
        state = state or {"finished": sync_jobs.last_result()}
        return render_template("library/_sync_progress.html", **state, sync_poll_url=request.url)
    return render_template(
        "admin/_library_live.html", **sync_jobs.page_context(), last_result=sync_jobs.last_result()
    )


@admin_bp.get("/library/webhook/rotate")
@admin_required
def library_webhook_rotate_confirm():
    return render("admin/library_webhook_rotate.html")


@admin_bp.post("/library/webhook/rotate")
@admin_required
def library_webhook_rotate():
    services.rotate_webhook_secret(actor=current_user)
    flash(
        "The webhook has a new address; the old one no longer works. "
        "Replace it under Plex → Settings → Webhooks.",
        "success",
    )
    return redirect(url_for("admin.library"))


@admin_bp.post("/library/<int:section_id>/hidden")
@admin_required
def library_hidden(section_id: int):
    hidden = request.form.get("hidden") == "1"
    section = services.set_hidden(section_id, hidden, actor=current_user)
    if section is None:
        flash("That library is no longer there.", "error")
    else:
        state = "hidden from everyone but admins" if hidden else "visible to everyone"
        flash(f"{section.title} is now {state}.", "success")
    return redirect(url_for("admin.library"))


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


@bp.post("/webhooks/plex/<secret>")
@accepts_files  # Plex sends a thumbnail beside the payload
@csrf.exempt
@limiter.limit("60 per minute")
def plex_webhook(secret: str):
    if not services.secret_matches(secret):
        return _plain("Not found.", 404)
    try:
        payload = load_json(request.form.get("payload") or "")
        event = payload["event"]
        metadata = payload.get("Metadata") or {}
        if not isinstance(event, str) or not isinstance(metadata, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        return _plain("Expected a Plex webhook: a form with a JSON 'payload' field.", 400)
    server = (payload.get("Server") or {}) if isinstance(payload.get("Server"), dict) else {}
    machine_id = settings.get("plex.machine_id")
    if server.get("uuid") and machine_id and server["uuid"] != machine_id:
        return _plain("Ignored: this event is from another Plex server.", 202)
    sync_jobs.note_webhook()
    if event not in WEBHOOK_EVENTS:
        return _plain(f"Ignored: {event[:40]} needs no update.", 202)
    section_id = parse_id(metadata.get("librarySectionID"))
    if section_id is None:
        return _plain("The event names no library (Metadata.librarySectionID).", 400)
    section = str(section_id)
    enqueue(
        f"{tasks.__name__}.section_update",
        section,
        job_id=f"library-webhook-{section}",
        job_timeout=600,
    )
    return _plain("Queued an update of that library.", 202)
