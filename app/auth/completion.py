"""The last step of every outside sign-in (Plex, single sign-on): let the person in, or not."""

from flask import redirect, url_for

from app import audit
from app.auth.sessions import sign_in
from app.htmx import render
from app.invites.services import accept_from_session
from app.notifications.services import subject_of
from app.notify.outbox import emit
from app.security import is_safe_next


def complete_sign_in(user, *, created: bool, method: str, how: str, next_url, problem):
    """Sign in a person who proved who they are elsewhere, unless disabled or awaiting approval.

    `how` names the method for people ("Plex"); `problem(message, status)` renders a refusal.
    """
    if user.disabled:
        audit.record(
            "signin.refused",
            target=user.username,
            details={"method": method, "reason": "disabled"},
        )
        return problem("This account has been disabled. Ask the server's owner.", 403)
    accept_from_session(user, created=created, method=method)  # an invitation lets them in
    if user.pending:
        if created:
            emit(
                "signup.waiting",
                f"{user.username} is waiting for approval",
                f"They signed in with {how}.",
                level="warning",
                link=url_for("admin.user", user_id=user.id),
                subject=subject_of("user", user.id),
            )
        return render("auth/pending.html", user=user, status_code=403)
    sign_in(user, method=method)
    audit.record("signin.success", actor=user, target=user.username, details={"method": method})
    return redirect(next_url if is_safe_next(next_url) else url_for("dashboard.index"))
