"""The owner's first steps after setup: Plex connected, library synced, people, address, webhook."""

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.library import sync_jobs
from app.models import User
from app.models.library import LibrarySection, SyncRun

DISMISSED = "dashboard.checklist_dismissed"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    note: str = ""


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _people() -> tuple[int, int]:
    """(people other than the owner, how many of them have signed in)."""
    others = select(User.id).where(User.is_owner.is_(False))
    return _count(others), _count(others.where(User.last_login_at.is_not(None)))


def _library() -> tuple[bool, int, SyncRun | None]:
    """(a sync has succeeded, libraries stored, the latest full sync)."""
    succeeded = db.session.scalar(select(SyncRun.id).where(SyncRun.status == "succeeded").limit(1))
    libraries = _count(select(LibrarySection.id).where(LibrarySection.removed_at.is_(None)))
    last = db.session.scalars(
        select(SyncRun).where(SyncRun.kind == "full").order_by(SyncRun.id.desc()).limit(1)
    ).first()
    return succeeded is not None, libraries, last


def checklist() -> dict | None:
    """The steps and their state, or None once the owner has put the list away."""
    if settings.get(DISMISSED):
        return None
    connected = bool(settings.get("plex.machine_id"))
    synced, libraries, last_full = _library()
    people, signed_in = _people()
    webhook_seen = sync_jobs.webhook_received_at()
    steps = [
        Step("plex", "Connect your Plex server", connected, settings.get("plex.server_name")),
        Step("library", "Sync your library", connected and synced),
        Step("people", "Bring in your people", people > 0),
        Step("address", "Share the address", signed_in > 0),
        Step("webhook", "Add the Plex webhook", webhook_seen is not None),
    ]
    return {
        "steps": steps,
        "complete": all(step.done for step in steps),
        "remaining": sum(not step.done for step in steps),
        "connected": connected,
        "libraries": libraries,
        "last_full": last_full,
        "people": people,
        "signed_in": signed_in,
        "webhook_seen": webhook_seen,
        "address": current_app.config["PUBLIC_URL"] or request.host_url,
        **sync_jobs.sync_state(),
    }


def dismiss(actor) -> None:
    settings.put({DISMISSED: True}, actor=actor)
