"""The outbox to Overseerr: queue an action as a row; a job delivers it after the commit."""

from app import settings
from app.after_commit import after_commit
from app.extensions import db
from app.jobs import enqueue
from app.models import MediaRequest, RequestAction

KINDS = ("submit", "approve", "decline", "seasons")


def overseerr_configured() -> bool:
    return bool(settings.get("overseerr.url") and settings.get("overseerr.api_key"))


def queue(req: MediaRequest, kind: str, payload: dict | None = None) -> RequestAction:
    """Add an action for req to the caller's transaction; its job is enqueued once committed.

    If Redis is away the row stays pending and the sweeper enqueues it later.
    """
    assert kind in KINDS, kind
    action = RequestAction(request_id=req.id, kind=kind, payload=payload or {})
    db.session.add(action)
    db.session.flush()
    action_id = action.id
    after_commit(lambda: _enqueue(action_id))
    return action


def _enqueue(action_id: int) -> None:
    enqueue("app.requests.tasks.deliver_action", action_id, job_id=f"request-action-{action_id}")
