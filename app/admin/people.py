"""People: the table of accounts, one person's page and what an admin can do to them."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app import settings
from app.admin import bp
from app.admin import people_services as people
from app.auth.decorators import admin_required
from app.htmx import render
from app.security import is_safe_next


def _user_or_404(user_id: int):
    user = people.get_user(user_id)
    if user is None:
        abort(404)
    return user


def _back(user) -> str:
    """Where an action returns to: the page it came from when that is ours, else the person."""
    target = request.form.get("next")
    return target if is_safe_next(target) else url_for("admin.user", user_id=user.id)


def _user_page(user, status_code: int = 200):
    return render(
        "admin/user.html",
        status_code=status_code,
        user=user,
        status=people.status_of(user),
        methods=people.sign_in_methods(user),
        refusals=people.refusals(user, current_user),
        roles=people.ROLES,
        statuses=people.STATUSES,
    )


@bp.get("/users")
@admin_required
def users():
    query = people.UserQuery.from_args(request.args)
    page = people.find_users(query)
    return render(
        "admin/users.html",
        block="table",
        query=query,
        page=page,
        roles=people.ROLES,
        statuses=people.STATUSES,
        sorts=people.SORTS,
        status_of=people.status_of,
        sign_in_methods=people.sign_in_methods,
        plex_connected=bool(settings.get("plex.machine_id")),
    )


@bp.post("/users/import")
@admin_required
def users_import():
    try:
        result = people.import_plex_users(actor=current_user)
    except people.PeopleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    flash(_import_summary(result), "success" if result.added else "info")
    return redirect(url_for("admin.users"))


def _import_summary(result: people.ImportResult) -> str:
    def count(n: int) -> str:
        return f"{n} {'person' if n == 1 else 'people'}"

    if result.added:
        text = f"Added {count(len(result.added))} from Plex: {', '.join(result.added)}."
    else:
        text = "No one new to add from Plex."
    if result.present:
        text += f" {count(result.present)} already {'has' if result.present == 1 else 'have'}"
        text += " an account."
    if result.managed:
        text += f" Skipped {count(result.managed)} in your Plex Home without a Plex sign-in."
    return text


@bp.get("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    return _user_page(_user_or_404(user_id))


@bp.post("/users/<int:user_id>/role")
@admin_required
def user_role(user_id: int):
    user = _user_or_404(user_id)
    try:
        changed = people.change_role(user, request.form.get("role", ""), actor=current_user)
    except people.PeopleError as exc:
        flash(str(exc), "error")
        return redirect(_back(user))
    if changed:
        role = people.ROLES.get(user.role, user.role).lower()
        flash(f"{user.username} is now {'an' if role == 'admin' else 'a'} {role}.", "success")
    if not current_user.is_admin:  # they took their own admin rights away
        return redirect(url_for("dashboard.index"))
    return redirect(_back(user))


@bp.post("/users/<int:user_id>/approve")
@admin_required
def user_approve(user_id: int):
    user = _user_or_404(user_id)
    if people.approve(user, actor=current_user):
        flash(f"{user.username} can now sign in. They were told.", "success")
    return redirect(_back(user))


@bp.post("/users/<int:user_id>/disable")
@admin_required
def user_disable(user_id: int):
    user = _user_or_404(user_id)
    try:
        if people.disable(user, actor=current_user):
            flash(f"{user.username} is disabled and was signed out everywhere.", "success")
    except people.PeopleError as exc:
        flash(str(exc), "error")
    return redirect(_back(user))


@bp.post("/users/<int:user_id>/enable")
@admin_required
def user_enable(user_id: int):
    user = _user_or_404(user_id)
    if people.enable(user, actor=current_user):
        flash(f"{user.username} can sign in again.", "success")
    return redirect(_back(user))


@bp.get("/users/<int:user_id>/delete")
@admin_required
def user_delete_confirm(user_id: int):
    user = _user_or_404(user_id)
    reason = people.refusal("delete", user, current_user)
    if reason:
        flash(reason, "error")
        return redirect(url_for("admin.user", user_id=user.id))
    return render("admin/user_delete.html", user=user)


@bp.post("/users/<int:user_id>/delete")
@admin_required
def user_delete(user_id: int):
    user = _user_or_404(user_id)
    try:
        username = people.delete(user, actor=current_user)
    except people.PeopleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.user", user_id=user.id))
    flash(f"{username} was deleted.", "success")
    return redirect(url_for("admin.users"))
