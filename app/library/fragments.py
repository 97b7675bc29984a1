"""Live sync progress for the admin's library page."""

from flask import render_template

from app.realtime.fragments import renders


@renders("sync.progress")
def progress(event: dict) -> str:
    return render_template("library/_sync_progress.html", progress=event, oob=True)


@renders("sync.finished")
def finished(event: dict) -> str:
    return render_template("library/_sync_progress.html", finished=event, oob=True)
