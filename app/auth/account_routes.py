"""The person's own account page: where they are signed in, and signing sessions out."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from app import audit
from app.auth import bp, sessions
from app.auth.devices import describe
from app.htmx import render

METHODS = {"password": "a password", "plex": "Plex", "oidc": "single sign-on"}


@bp.get("/account")
@login_required
def account():
    return render(
        "auth/account.html",
        sessions=sessions.sessions_of(current_user.id),
        describe=describe,
        methods=METHODS,
    )


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if session_id == current_user.session_id:
        return _sign_out_here("You are signed out.")
    if not sessions.end_sessions(current_user.id, only=[session_id]):
        abort(404)  # not theirs, or already ended
    audit.record("session.ended", actor=current_user, target=current_user.username)
    flash("That device is signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    ended = sessions.end_sessions(current_user.id, keep=current_user.session_id)
    if ended:
        audit.record(
            "session.ended_others",
            actor=current_user,
            target=current_user.username,
            details={"count": ended},
        )
    flash(f"Signed out {ended} other device{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end-all")
@login_required
def end_all_sessions():
    sessions.end_sessions(current_user.id, keep=current_user.session_id)
    audit.record("session.ended_all", actor=current_user, target=current_user.username)
    return _sign_out_here("You are signed out everywhere.")


def _sign_out_here(message: str):
    sessions.sign_out(current_user)
    flash(message, "info")
    return redirect(url_for("auth.login"))
