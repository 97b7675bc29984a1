"""Live sync progress for the admin's library page, and what a finished sync changes on it."""

from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.library import sync_jobs
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
