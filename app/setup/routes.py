"""The setup page, and the gate that sends everything there until it is done."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from app import settings
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
        remember_address(owner)
        sign_in(owner, method="password")
        flash(f"Welcome, {owner.username}. MediaNest is ready.", "success")
        return redirect(url_for("dashboard.index"))
    return render("setup/index.html", form=form, status_code=400 if form.errors else 200)


def remember_address(owner) -> None:
    """Links in messages need MediaNest's address, and jobs have no request to read it from:
    until an admin sets one, it is the address the owner set up from."""
    if not settings.get("instance.public_url") and not current_app.config.get("PUBLIC_URL"):
        settings.put({"instance.public_url": request.host_url.rstrip("/")}, actor=owner)


def _already_done():
    """Send a late visitor (a bookmark, a second tab) on to where they can carry on."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    flash("MediaNest is already set up. Sign in to carry on.", "info")
    return redirect(url_for("auth.login"))
