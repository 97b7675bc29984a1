"""Admin pages."""

from flask import redirect, url_for

from app.admin import bp
from app.auth.decorators import admin_required
from app.htmx import render
from app.ops.services import COMPONENT_LABELS, recent_checks


@bp.get("/")
@admin_required
def index():
    return redirect(url_for("admin.health"))


@bp.get("/health")
@admin_required
def health():
    return render("admin/health.html", checks=recent_checks(100), labels=COMPONENT_LABELS)
