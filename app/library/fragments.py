"""Live sync progress for the admin's library page, and what a finished sync changes on it and
on a library page that was still empty."""

from flask import render_template
from flask_login import current_user
from jinja2_fragments.flask import render_block

from app.extensions import db
from app.library import catalog, sync_jobs
from app.realtime.fragments import renders


@renders("sync.progress")
def progress(event: dict) -> str:
    return render_template("library/_sync_progress.html", progress=event, oob=True)


@renders("sync.finished")
def finished(event: dict) -> str:
    if not current_user.is_admin:
        return ""
    try:
        return render_template(
            "admin/_library_live.html", **sync_jobs.page_context(), finished=event, oob=True
        )
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection


@renders("sync.finished")
def libraries_arrived(event: dict) -> str:
    """An admin's empty library page gets its libraries (the client drops it on other pages)."""
    if not current_user.is_admin or not event.get("added"):
        return ""  # a sync that added nothing cannot fill an empty page: spare every socket
    try:
        sections = catalog.sections(include_hidden=True)
        if not sections:
            return ""
        return render_block(
            "library/index.html",
            "library_body",
            sections=sections,
            waiting=None,
            problem=catalog.server_problem(),
            oob=True,
        )
    finally:
        db.session.remove()
