"""The owner's first steps after setup: Plex connected, library synced, people, address, webhook."""

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select

from app import settings
from app.extensions import db
from app.library import sync_jobs
from app.models import User
from app.models.library import LibrarySection, SyncRun
from app.models.system import Setting

DISMISSED = "dashboard.checklist_dismissed"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    note: str = ""


def _facts() -> dict:
    """What the steps depend on, in one round trip: it is read on every visit of the owner."""
    others = select(func.count(User.id)).where(User.is_owner.is_(False))
    row = db.session.execute(
        select(
            select(SyncRun.id).where(SyncRun.status == "succeeded").limit(1).scalar_subquery(),
            select(func.count(LibrarySection.id))
            .where(LibrarySection.removed_at.is_(None))
            .scalar_subquery(),
            others.scalar_subquery(),
            others.where(User.last_login_at.is_not(None)).scalar_subquery(),
            select(Setting.updated_at)
            .where(Setting.key == sync_jobs.WEBHOOK_SEEN, Setting.value != "")
            .scalar_subquery(),
            select(SyncRun.id).where(SyncRun.status == "running").limit(1).scalar_subquery(),
        )
    ).one()
    synced, libraries, people, signed_in, webhook_seen, running = row
    return {
        "synced": synced is not None,
        "libraries": libraries,
        "people": people,
        "signed_in": signed_in,
        "webhook_seen": webhook_seen,
        "running": running is not None,
    }


def _last_full() -> SyncRun | None:
    return db.session.scalars(
        select(SyncRun).where(SyncRun.kind == "full").order_by(SyncRun.id.desc()).limit(1)
    ).first()


def checklist() -> dict | None:
    """The steps and their state, or None once the owner has put the list away."""
    if settings.get(DISMISSED):
        return None
    connected = bool(settings.get("plex.machine_id"))
    facts = _facts()
    synced, people, signed_in = facts["synced"], facts["people"], facts["signed_in"]
    webhook_seen = facts["webhook_seen"]
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
        "libraries": facts["libraries"],
        "last_full": None if synced else _last_full(),
        "people": people,
        "signed_in": signed_in,
        "webhook_seen": webhook_seen,
        "address": current_app.config["PUBLIC_URL"] or request.host_url,
        # Only a running sync needs its row read; a queued one is one Redis read.
        **(sync_jobs.sync_state() if facts["running"] else _queued()),
    }


def _queued() -> dict:
    return {"queued": True, "poll": True} if sync_jobs.full_sync_waiting() else {}


def dismiss(actor) -> None:
    settings.put({DISMISSED: True}, actor=actor)
