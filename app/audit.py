"""Writing to the audit log."""

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent


def record(
    action: str,
    *,
    actor=None,
    target: str | None = None,
    details: dict | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Log what happened, who did it and from where; commits unless part of a larger change."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None),
        target=target,
        ip=request.remote_addr if has_request_context() else None,
        details=details or {},
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
