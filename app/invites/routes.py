"""The page an invitation link opens: join with a new password, or with Plex."""

from flask import flash, redirect, session, url_for
from flask_login import current_user

from app import settings
from app.auth import plex, sessions
from app.extensions import limiter
from app.forms import shows_form
from app.htmx import render
from app.integrations.plextv import PlexTvError
from app.invites import bp, services
from app.invites.forms import InviteSignUpForm

# Each link is a 256-bit secret; the limit keeps a stranger from hammering the page anyway.
LIMIT = "30 per minute"


def _problem(exc: services.InviteProblem):
    status = 404 if exc.state == "missing" else 410
    invited_by = exc.invitation.created_by_name if exc.invitation else None
    return render(
        "invites/problem.html",
        message=str(exc),
        state=exc.state,
        invited_by=invited_by,
        status_code=status,
    )


def _page(token: str, invitation, form, status_code: int = 200):
    return render(
        "invites/accept.html",
        status_code=status_code,
        token=token,
        invitation=invitation,
        form=form,
        server_name=settings.get("plex.server_name"),
        plex_connected=bool(settings.get("plex.machine_id")),
    )


@bp.route("/<token>", methods=["GET", "POST"])
@shows_form(InviteSignUpForm)
@limiter.limit(LIMIT)
def accept(token: str):
    try:
        invitation = services.find(token)
    except services.InviteProblem as exc:
        return _problem(exc)
    if current_user.is_authenticated:
        return render("invites/signed_in.html", status_code=409)
    form = InviteSignUpForm()
    if form.validate_on_submit():
        signup = services.SignUp(form.username.data, form.password.data)
        try:
            user = services.sign_up(token, signup)
        except services.InviteProblem as exc:
            return _problem(exc)
        except services.UsernameTaken:
            form.username.errors.append("Someone already has this username. Choose another.")
            return _page(token, invitation, form, 400)
        sessions.sign_in(user, method="password")
        flash(f"Welcome, {user.username}. Your account is ready.", "success")
        return redirect(url_for("dashboard.index"))
    return _page(token, invitation, form, 400 if form.errors else 200)


@bp.post("/<token>/plex")
@limiter.limit(LIMIT)
def with_plex(token: str):
    try:
        services.find(token)
    except services.InviteProblem as exc:
        return _problem(exc)
    if not settings.get("plex.machine_id"):
        flash("This server is not connected to Plex. Choose a username and password.", "error")
        return redirect(url_for("invites.accept", token=token))
    session[services.SESSION_KEY] = token
    try:
        return redirect(plex.start("signin"))
    except PlexTvError as exc:
        return render("auth/plex_problem.html", message=str(exc), status_code=502)
