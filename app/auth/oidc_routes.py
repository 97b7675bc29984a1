"""Sign in with OpenID Connect: send the browser to the provider and finish when it comes back."""

import logging

from flask import redirect, request

from app import audit
from app.auth import bp, oidc
from app.auth.completion import complete_sign_in
from app.extensions import limiter
from app.htmx import render
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
    return complete_sign_in(
        user,
        created=created,
        method="oidc",
        how="single sign-on",
        next_url=next_url,
        problem=_problem,
    )
