"""The audit log: who did what, when and from where."""

from flask import request

from app.admin import audit_services, bp
from app.auth.decorators import admin_required
from app.htmx import render


@bp.get("/audit")
@admin_required
def audit():
    query = audit_services.AuditQuery.from_args(request.args)
    return render(
        "admin/audit.html",
        block="log",
        status_code=400 if query.errors else 200,
        query=query,
        page=audit_services.find_events(query),
        actions=audit_services.actions(),
        shown=audit_services.shown,
    )
