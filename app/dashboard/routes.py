"""Dashboard page, MediaNest's "Check now" and the owner's next steps."""

from flask import redirect, url_for
from flask_login import current_user, login_required

from app import page_cache, settings
from app.auth.decorators import admin_required, owner_required
from app.dashboard import board, bp, checklist, services
from app.htmx import fragment_of, render, wants_fragment


@bp.get("/")
@page_cache.per_session
@login_required
def index():
    admin, owner = current_user.is_admin, current_user.is_owner
    return render(
        "dashboard/index.html",
        board=board.board(admin),
        recently_added=board.recently_added(admin),
        my_requests=services.my_requests(current_user.id),
        my_downloads=services.my_downloads(current_user.id),
        plex_connected=owner and bool(settings.get("plex.machine_id")),
        checklist=checklist.checklist() if owner else None,
    )


@bp.get("/dashboard/status")
@login_required
@fragment_of("dashboard.index")
def status_card():
    """MediaNest's card read now; it keeps asking while a check runs."""
    admin = current_user.is_admin
    return board.one_card("medianest", admin, checking=admin and services.check_running())


@bp.post("/dashboard/status/check")
@admin_required
def check_now():
    problem = services.request_check()
    html = board.one_card("medianest", True, checking=problem is None, problem=problem)
    if not wants_fragment():
        return redirect(url_for("dashboard.index"))
    return html, 503 if problem else 200


@bp.get("/dashboard/checklist")
@owner_required
@fragment_of("dashboard.index")
def checklist_card():
    return render("dashboard/_checklist.html", checklist=checklist.checklist())


@bp.post("/dashboard/checklist/dismiss")
@owner_required
def checklist_dismiss():
    checklist.dismiss(current_user)
    if wants_fragment():
        return ""
    return redirect(url_for("dashboard.index"))
