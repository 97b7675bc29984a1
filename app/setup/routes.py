"""The setup page, and the gate that sends everything there until it is done."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.auth.forms import SetupForm
from app.auth.sessions import sign_in
from app.forms import shows_form
from app.htmx import render
from app.setup import bp, services

# Reachable before an owner exists: the setup page itself and what machines poll.
OPEN_BEFORE_SETUP = {
    "setup.index",
    "static",
    "ops.health",
    "ops.ready",
    "ops.metrics",
    "ops.favicon",
}


@bp.before_app_request
def require_owner():
    if request.endpoint is None or request.endpoint in OPEN_BEFORE_SETUP:
        return None
    if not services.owner_exists():
        return redirect(url_for("setup.index"))
    return None


@bp.route("/setup", methods=["GET", "POST"])
@shows_form(SetupForm)
def index():
    if services.owner_exists():
        return _already_done()
    form = SetupForm()
    if form.validate_on_submit():
        try:
            owner = services.create_owner(form.username.data, form.password.data)
        except services.SetupAlreadyDone:
            return _already_done()
        sign_in(owner, method="password")
        flash(f"Welcome, {owner.username}. MediaNest is ready.", "success")
        return redirect(url_for("dashboard.index"))
    return render("setup/index.html", form=form, status_code=400 if form.errors else 200)


def _already_done():
    """Send a late visitor (a bookmark, a second tab) on to where they can carry on."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    flash("MediaNest is already set up. Sign in to carry on.", "info")
    return redirect(url_for("auth.login"))
