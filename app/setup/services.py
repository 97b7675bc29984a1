"""Whether the instance has an owner, and creating exactly one."""

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db
from app.models import Setting, User
from app.models.users import ROLE_ADMIN

OWNER_KEY = "owner_user_id"


class SetupAlreadyDone(Exception):
    """An owner exists; setup cannot run again."""


def owner_exists() -> bool:
    # Once true it stays true, so each process asks the database only until then.
    if current_app.extensions.get("medianest.has_owner"):
        return True
    found = db.session.get(Setting, OWNER_KEY) is not None
    if found:
        current_app.extensions["medianest.has_owner"] = True
    return found


def create_owner(username: str, password: str, *, via: str = "setup") -> User:
    """Create the owner (an admin); the settings row's primary key lets only one request win.

    `via` says where for the audit log: "setup" (the page) or "cli".
    """
    if owner_exists():
        raise SetupAlreadyDone
    user = User(username=username.strip(), role=ROLE_ADMIN, is_owner=True)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
        db.session.add(Setting(key=OWNER_KEY, value=str(user.id)))
        audit.record(
            "owner.created", actor=user, target=user.username, details={"via": via}, commit=False
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SetupAlreadyDone from None
    current_app.extensions["medianest.has_owner"] = True
    return user
