"""Invitations under People: create a link for one person, see what became of it, revoke it."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.admin import bp
from app.auth.decorators import admin_required
from app.htmx import render
from app.invites import services as invites


def _page(values: dict | None = None, errors: dict | None = None, status_code: int = 200):
    return render(
        "admin/invites.html",
        status_code=status_code,
        invitations=invites.listed(),
        values=values or {"note": "", "role": "user", "days": str(invites.DEFAULT_DAYS)},
        errors=errors or {},
        roles=invites.ROLES,
        expiry=invites.EXPIRY_DAYS,
    )


@bp.get("/users/invites")
@admin_required
def invites_list():
    return _page()


@bp.post("/users/invites")
@admin_required
def invites_create():
    values, errors = invites.read_form(request.form)
    if errors:
        return _page(values, errors, 400)
    invitation, token = invites.create(
        actor=current_user, note=values["note"], role=values["role"], days=int(values["days"])
    )
    link = url_for("invites.accept", token=token, _external=True)
    return render(
        "admin/invite_created.html", invitation=invitation, link=link, roles=invites.ROLES
    )


@bp.post("/users/invites/<int:invitation_id>/revoke")
@admin_required
def invites_revoke(invitation_id: int):
    invitation = invites.get(invitation_id)
    if invitation is None:
        abort(404)
    if invites.revoke(invitation, actor=current_user):
        flash("The invitation was revoked; its link no longer works.", "success")
    else:
        flash("That invitation can no longer be used anyway.", "info")
    return redirect(url_for("admin.invites_list"))
