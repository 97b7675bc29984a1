"""Dashboard page and the status card's actions."""

from flask_login import current_user, login_required

from app import settings
from app.auth.decorators import admin_required
from app.dashboard import bp, services
from app.htmx import render
from app.library import catalog


@bp.get("/")
@login_required
def index():
    return render(
        "dashboard/index.html",
        status=services.current_status(),
        checking=services.check_running(),
        plex_connected=bool(settings.get("plex.machine_id")),
        recently_added=catalog.recently_added(include_hidden=current_user.is_admin),
    )


@bp.get("/dashboard/status")
@login_required
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
