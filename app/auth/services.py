"""Account logic: checking credentials and changing passwords."""

from sqlalchemy import func, select

from app.auth.sessions import end_sessions
from app.auth.usernames import clean_username, skeleton
from app.extensions import db
from app.models import User
from app.models.users import ROLE_ADMIN

# Compared against when the username is unknown, so both answers take the same time.
_DUMMY = User(password_hash="scrypt:32768:8:1$0000000000000000$" + "0" * 128)


def find_user(username: str) -> User | None:
    return db.session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).first()


def free_username(wanted: str, keep_for: User | None = None, fallback: str = "user") -> str:
    """A name for someone from outside: wanted, cleaned to the local rules, or wanted-2, -3…
    when another person's name is the same or looks the same ("0wner", Cyrillic "оwner")."""
    base = clean_username(wanted, fallback)
    keep_id = keep_for.id if keep_for is not None else None
    others = db.session.scalars(select(User.username).where(User.id != keep_id))
    taken = {skeleton(name) for name in others}
    candidate, n = base, 1
    while skeleton(candidate) in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def create_admin(username: str, password: str) -> User:
    """Add another admin account."""
    user = User(username=username.strip(), role=ROLE_ADMIN)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user(username)
    if user is None:
        _DUMMY.check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password and end every other session; False when `current` is wrong."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    end_sessions(user.id, keep=user.session_id)
    return True
