"""Live subscription rows: redrawn from the database when a check has run."""

from flask import render_template
from flask_login import current_user

from app.bounded import parse_id
from app.downloads import subscription_form, subscriptions
from app.extensions import db
from app.models import Subscription
from app.realtime.fragments import renders


@renders("subscription.changed")
def changed(event: dict) -> str | None:
    sub_id = parse_id(event.get("subscription_id"))
    if sub_id is None:
        return None
    try:
        sub = db.session.get(Subscription, sub_id)
        if sub is None or not subscriptions.may_act(current_user, sub):
            return None
        return render_template(
            "downloads/_subscription_row.html",
            sub=sub,
            latest=subscriptions.latest_downloads([sub.id]),
            words=subscription_form,
            everyone=current_user.is_admin,
            oob=True,
        )
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection
