"""The Status page: uptime, latency and incidents per service."""

from flask import request
from flask_login import current_user, login_required

from app.htmx import render
from app.paging import page_number
from app.status import bp, fragments, services  # noqa: F401  (fragments: live renderers)
from app.status.views import range_key


@bp.get("/status")
@login_required
def index():
    chosen = range_key(request.args.get("range"))
    page = services.status_page(current_user, chosen, page_number(request.args.get("page")))
    return render("status/index.html", page=page)
