"""Sign in with Plex: start the PIN round trip and finish it when the browser comes back."""

from flask import redirect, request, url_for
from flask_login import current_user

from app import audit
from app.auth import bp, plex
from app.auth.completion import complete_sign_in
from app.extensions import limiter
from app.htmx import render
from app.integrations.plextv import PlexTvError
from app.security import is_safe_next


def _problem(message: str, status: int = 400):
    return render("auth/plex_problem.html", message=message, status_code=status)


@bp.post("/login/plex")
@limiter.limit("10 per minute")
def plex_start():
    target = request.args.get("next")
    try:
        return redirect(plex.start("signin", target if is_safe_next(target) else None))
    except PlexTvError as exc:
        return _problem(str(exc), 502)


@bp.get("/login/plex/callback")
def plex_callback():
    try:
        purpose, token, next_url = plex.finish()
        account = plex.plextv().account(token)
    except (plex.SignInProblem, PlexTvError) as exc:
        audit.record("signin.failed", details={"method": "plex", "reason": str(exc)})
        return _problem(str(exc))
    if purpose == "connect":
        return _finish_connect(account, token)
    try:
        is_owner = plex.check_access(account, token)
    except plex.NotAllowed as refusal:
        audit.record(
            "signin.refused",
            target=account.username,
            details={"method": "plex", "reason": refusal.reason, "plex_id": account.id},
        )
        return render(
            "auth/plex_refused.html",
            reason=refusal.reason,
            account=account,
            status_code=403,
            **plex.whom_to_ask(),
        )
    except PlexTvError as exc:
        return _problem(str(exc), 502)
    user, created = plex.user_for(account, is_owner)
    return complete_sign_in(
        user, created=created, method="plex", how="Plex", next_url=next_url, problem=_problem
    )


def _finish_connect(account, token):
    if not (current_user.is_authenticated and current_user.is_owner):
        return _problem("Only the owner, signed in to MediaNest, can connect a Plex server.", 403)
    try:
        plex.connect_owner(account, token, current_user._get_current_object())
    except plex.SignInProblem as exc:
        return _problem(str(exc), 409)
    return redirect(url_for("admin.plex_servers"))
