"""Dashboard page, the status card's actions and the owner's next steps."""

from flask import redirect, url_for
from flask_login import current_user, login_required

from app import settings
from app.auth.decorators import admin_required, owner_required
from app.dashboard import bp, checklist, services
from app.htmx import fragment_of, render, wants_fragment
from app.library import catalog


@bp.get("/")
@login_required
def index():
    return render(
        "dashboard/index.html",
        status=services.current_status(),
        checking=services.check_running(),
        plex_connected=bool(settings.get("plex.machine_id")),
        checklist=checklist.checklist() if current_user.is_owner else None,
        recently_added=catalog.recently_added(include_hidden=current_user.is_admin),
    )


@bp.get("/dashboard/status")
@login_required
@fragment_of("dashboard.index")
def status_card():
    return render(
        "components/_status_card.html",
        status=services.current_status(),
        checking=services.check_running(),
    )


@bp.post("/dashboard/status/check")
@admin_required
def check_now():
    problem = services.request_check()
    return render(
        "components/_status_card.html",
        status=services.current_status(),
        checking=problem is None,
        problem=problem,
        status_code=503 if problem else 200,
    )


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
