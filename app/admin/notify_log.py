"""Admin → Notifications → Delivery log: every delivery newest first, by state and destination,
with a resend for failed and sent ones."""

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import func, select

from app.admin import bp
from app.auth.decorators import admin_required
from app.extensions import db
from app.htmx import render
from app.models.notify import FAILED, PENDING, RETRYING, SENDING, SENT, Delivery, NotifyEvent
from app.paging import page_number, paginate

PER_PAGE = 50
STATES = {SENT: "Sent", RETRYING: "Retrying", FAILED: "Failed", PENDING: "Pending"}
RESENDABLE = (FAILED, SENT)
MAX_KEY = 40


def state_counts() -> dict[str, int]:
    rows = db.session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
    counts = dict(rows.all())
    # A delivery being sent right now is still waiting, as far as the admin can tell.
    counts[PENDING] = counts.get(PENDING, 0) + counts.pop(SENDING, 0)
    return {state: counts.get(state, 0) for state in STATES}


def destinations() -> list[tuple[str, str]]:
    """Every destination in the log, with the latest label it had."""
    query = (
        select(Delivery.target_key, func.max(Delivery.label))
        .group_by(Delivery.target_key)
        .order_by(Delivery.target_key)
    )
    return [(key, label or key) for key, label in db.session.execute(query)]


def _filters() -> tuple[str, str]:
    state = request.args.get("state", "")
    target = request.args.get("target", "")
    # Keys are printable: a NUL byte would be refused by PostgreSQL mid-query (a 500).
    known = len(target) <= MAX_KEY and target.isprintable()
    return (state if state in STATES else ""), (target if known else "")


def deliveries(state: str, target: str, page: int):
    query = select(Delivery, NotifyEvent.title).join(
        NotifyEvent, NotifyEvent.id == Delivery.event_id
    )
    if state == PENDING:
        query = query.where(Delivery.state.in_((PENDING, SENDING)))
    elif state:
        query = query.where(Delivery.state == state)
    if target:
        query = query.where(Delivery.target_key == target)
    query = query.order_by(Delivery.created_at.desc(), Delivery.id.desc())
    found = paginate(query.with_only_columns(Delivery.id), page, PER_PAGE)
    rows = db.session.execute(query.where(Delivery.id.in_(found.items)))
    found.items = [(delivery, title) for delivery, title in rows]
    return found


@bp.get("/notifications/log")
@admin_required
def notifications_log():
    state, target = _filters()
    return render(
        "admin/notify_log.html",
        block="log",
        page=deliveries(state, target, page_number(request.args.get("page"))),
        counts=state_counts(),
        states=STATES,
        destinations=destinations(),
        state=state,
        target=target,
        resendable=RESENDABLE,
    )


@bp.post("/notifications/log/<int:delivery_id>/resend")
@admin_required
def notifications_resend(delivery_id: int):
    from app.notify.deliver import resend

    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        abort(404)
    if delivery.state not in RESENDABLE:
        flash("Only failed and sent deliveries can be sent again.", "info")
    elif resend(delivery.id):
        flash(f"{delivery.label or 'The delivery'}: it will be sent again now.", "success")
    else:
        flash("That delivery could not be sent again: it is already on its way.", "info")
    state, target = _filters()
    kept = {k: v for k, v in {"state": state, "target": target}.items() if v}
    return redirect(url_for("admin.notifications_log", **kept))
