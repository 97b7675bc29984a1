"""Sign in, sign out, change password."""

from flask import current_app, flash, g, redirect, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from app import audit, settings
from app.auth import bp, services, sessions
from app.auth.forms import LoginForm, PasswordForm
from app.extensions import limiter
from app.forms import shows_form
from app.htmx import render
from app.security import allow_form_target, is_safe_next


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _address_account_key() -> str:
    # Never the name alone: anyone could then lock the owner out from every address.
    name = request.form.get("username", "").strip().lower()[:64]
    return f"account:{get_remote_address() or 'unknown'}:{name}"


def _ip_key() -> str:
    return "ip:" + (get_remote_address() or "unknown")


def _after_login_target() -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@shows_form(LoginForm)
@limiter.limit(_address_limit, key_func=_ip_key, deduct_when=_login_failed, methods=["POST"])
@limiter.limit(
    _login_limit, key_func=_address_account_key, deduct_when=_login_failed, methods=["POST"]
)
def login():
    if current_user.is_authenticated:
        return redirect(_after_login_target())
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            sessions.sign_in(user, method="password", remember=bool(form.remember.data))
            audit.record(
                "signin.success", actor=user, target=user.username, details={"method": "password"}
            )
            return redirect(_after_login_target())
        g.login_failed = True
        audit.record(
            "signin.failed", target=form.username.data[:64], details={"method": "password"}
        )
        error = "Wrong username or password."
    status = 401 if error else (400 if form.errors else 200)
    return render(
        "auth/login.html", form=form, error=error, status_code=status, **_other_sign_ins()
    )


def _other_sign_ins() -> dict:
    """Which outside sign-in buttons the login page offers."""
    oidc_enabled = settings.get("oidc.enabled")
    if oidc_enabled:
        allow_form_target(settings.get("oidc.issuer"))
    return {
        "plex_enabled": bool(settings.get("plex.machine_id")),
        "oidc_label": settings.get("oidc.label") if oidc_enabled else None,
    }


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit.record("signout", actor=current_user, target=current_user.username)
        sessions.sign_out(current_user)
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@shows_form(PasswordForm)
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if services.change_password(current_user, form.current.data, form.password.data):
            flash("Password changed. Every other session was signed out.", "success")
            return redirect(url_for("dashboard.index"))
        form.current.errors.append("That is not your current password.")
    status = 400 if form.errors else 200
    return render("auth/password.html", form=form, status_code=status)
