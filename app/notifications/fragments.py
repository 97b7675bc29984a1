"""Live notification fragments: a toast and the bell's count."""

from flask import render_template

from app.realtime.fragments import renders


@renders("notification.new")
def new_notification(event: dict) -> str:
    return render_template(
        "components/_toast.html",
        oob=True,
        level=event.get("level", "info"),
        title=event.get("title", ""),
        body=event.get("body", ""),
        link=event.get("link"),
    ) + render_template("components/_bell.html", unread=event.get("unread", 0), oob=True)


@renders("notification.count")
def count_changed(event: dict) -> str:
    return render_template("components/_bell.html", unread=event.get("unread", 0), oob=True)
