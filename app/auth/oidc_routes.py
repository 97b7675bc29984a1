"""Sign in with OpenID Connect: send the browser to the provider and finish when it comes back."""

import logging

from flask import redirect, request, url_for
from flask_login import login_user

from app import audit
from app.auth import bp, oidc
from app.extensions import limiter
from app.htmx import render
from app.notifications.services import notify_admins
from app.security import allow_form_target, is_safe_next

log = logging.getLogger(__name__)


def _problem(message: str, status: int = 400):
    cfg = oidc.config()
    if cfg is not None:  # "Try again" posts here, and the redirect leads to the provider
        allow_form_target(cfg.issuer)
    return render("auth/oidc_problem.html", message=message, label=oidc.label(), status_code=status)


@bp.post("/login/oidc")
@limiter.limit("10 per minute")
def oidc_start():
    target = request.args.get("next")
    try:
        return redirect(oidc.start(target if is_safe_next(target) else None))
    except oidc.SignInProblem as exc:
        log.warning("OIDC sign-in could not start: %s", exc)
        return _problem(str(exc), exc.status)


@bp.get("/login/oidc/callback")
def oidc_callback():
    try:
        claims, next_url = oidc.finish(request.args)
    except oidc.SignInProblem as exc:
        audit.record("signin.failed", details={"method": "oidc", "reason": exc.reason})
        return _problem(str(exc), exc.status)
    user, created = oidc.user_for(claims)
    if user.disabled:
        audit.record(
            "signin.refused",
            target=user.username,
            details={"method": "oidc", "reason": "disabled"},
        )
        return _problem("This account has been disabled. Ask the server's owner.", 403)
    if user.pending:
        if created:
            notify_admins(
                f"{user.username} is waiting for approval",
                "They signed in with single sign-on.",
                level="warning",
                link="/admin/users",
            )
        return render("auth/pending.html", user=user, status_code=403)
    login_user(user)
    audit.record("signin.success", actor=user, target=user.username, details={"method": "oidc"})
    return redirect(next_url if is_safe_next(next_url) else url_for("dashboard.index"))
