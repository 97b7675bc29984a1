"""Access checks for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def admin_required(view):
    """Signed-in admins only: others get 403, anonymous visitors the sign-in page."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def owner_required(view):
    """The server's owner only."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_owner:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
