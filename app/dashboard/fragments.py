"""Live updates of the status card."""

from flask import render_template

from app.realtime.fragments import renders


@renders("status.checking")
def checking(_event: dict) -> str:
    return render_template("components/_status_state.html", checking=True, oob=True)


@renders("status.updated")
def updated(event: dict) -> str:
    return render_template("components/_status_card.html", status=event.get("status"), oob=True)
