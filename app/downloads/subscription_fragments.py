"""Live subscription rows: redrawn from the database when a check has run."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.downloads import subscription_form, subscriptions
from app.extensions import db
from app.models import Download, Subscription
from app.models.downloads import SKIPPED
from app.realtime.fragments import renders


@renders("subscription.changed")
def changed(event: dict) -> str | None:
    sub_id = event.get("subscription_id")
    if not isinstance(sub_id, int) or isinstance(sub_id, bool) or sub_id <= 0:
        return None
    try:
        sub = db.session.get(Subscription, sub_id)
        if sub is None or not subscriptions.may_act(current_user, sub):
            return None
        latest = db.session.scalar(
            select(func.max(Download.id)).where(
                Download.subscription_id == sub.id, Download.status != SKIPPED
            )
        )
        return render_template(
            "downloads/_subscription_row.html",
            sub=sub,
            latest={sub.id: latest} if latest else {},
            words=subscription_form,
            everyone=current_user.is_admin,
            oob=True,
        )
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection
