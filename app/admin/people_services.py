"""Managing people: finding them, their role and access, removal, and Plex imports."""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, settings
from app.auth.plex import free_username, plextv
from app.auth.sessions import access_changed, end_sessions
from app.auth.usernames import visible
from app.extensions import db
from app.integrations.plextv import PlexTvError, SharedUser
from app.models import Identity, User
from app.models.identities import OIDC, PLEX, PLEX_ISSUER
from app.models.users import ROLE_ADMIN, ROLE_USER
from app.notifications.services import resolve, subject_of
from app.notify.outbox import emit
from app.paging import Page, contains, page_number, paginate

PER_PAGE = 25
ROLES = {ROLE_ADMIN: "Admin", ROLE_USER: "User"}
STATUSES = {"active": "Active", "pending": "Pending", "disabled": "Disabled"}
SORTS = {
    "username": "By username",
    "last_login": "Recently signed in",
    "created": "Newest first",
}
PROVIDER_LABELS = {PLEX: "Plex", OIDC: "OIDC"}
# Largest id the databases store in an integer column; anything above cannot exist.
MAX_ID = 2**31 - 1


class PeopleError(Exception):
    """The action breaks a rule; the message says which, in plain words."""


@dataclass(frozen=True)
class UserQuery:
    """What the people table shows; unknown values fall back to the defaults."""

    q: str = ""
    role: str = ""
    status: str = ""
    sort: str = "username"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "UserQuery":
        role, status, sort = args.get("role", ""), args.get("status", ""), args.get("sort", "")
        return cls(
            q=visible(args.get("q", "")).strip()[:100],  # PostgreSQL refuses a NUL byte
            role=role if role in ROLES else "",
            status=status if status in STATUSES else "",
            sort=sort if sort in SORTS else "username",
            page=page_number(args.get("page")),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.role or self.status)


def status_of(user: User) -> str:
    if user.disabled:
        return "disabled"
    return "pending" if user.pending else "active"


def sign_in_methods(user: User) -> list[str]:
    """How this person can sign in: a password and each linked outside account."""
    methods = ["Password"] if user.password_hash else []
    for identity in sorted(user.identities, key=lambda i: (i.provider, i.id)):
        label = PROVIDER_LABELS.get(identity.provider, identity.provider)
        if label not in methods:
            methods.append(label)
    return methods


def find_users(query: UserQuery) -> Page:
    """The page of people matching the search, filters and sort."""
    stmt = select(User).options(selectinload(User.identities))
    if query.q:
        stmt = stmt.where(or_(contains(User.username, query.q), contains(User.email, query.q)))
    if query.role:
        stmt = stmt.where(User.role == query.role)
    if query.status == "disabled":
        stmt = stmt.where(User.disabled.is_(True))
    elif query.status == "pending":
        stmt = stmt.where(User.disabled.is_(False), User.pending.is_(True))
    elif query.status == "active":
        stmt = stmt.where(User.disabled.is_(False), User.pending.is_(False))
    order = {
        "username": (func.lower(User.username),),
        "last_login": (User.last_login_at.is_(None), User.last_login_at.desc()),
        "created": (User.created_at.desc(),),
    }[query.sort]
    return paginate(stmt.order_by(*order, User.id), query.page, PER_PAGE)


def get_user(user_id: int) -> User | None:
    if not 0 < user_id <= MAX_ID:
        return None
    return db.session.get(User, user_id)


def _active_admin_ids(lock: bool) -> list[int]:
    stmt = select(User.id).where(
        User.role == ROLE_ADMIN, User.disabled.is_(False), User.pending.is_(False)
    )
    # Locking the admins' rows makes two admins demoting each other at once take turns.
    if lock:
        stmt = stmt.with_for_update()
    return list(db.session.scalars(stmt))


def _is_last_admin(user: User, lock: bool = False) -> bool:
    """Whether taking admin rights or access from this person leaves nobody to run the place."""
    if not (user.is_admin and user.is_active):
        return False
    return _active_admin_ids(lock) == [user.id]


def refusal(action: str, user: User, actor, *, lock: bool = False) -> str | None:
    """Why `action` ("demote", "disable" or "delete") may not be done to this person, or None."""
    if user.is_owner:
        return {
            "demote": "The owner is always an admin; their role cannot change.",
            "disable": "The owner's account cannot be disabled.",
            "delete": "The owner's account cannot be deleted.",
        }[action]
    if action != "demote" and user.id == getattr(actor, "id", None):
        verb = "disable" if action == "disable" else "delete"
        return f"You cannot {verb} your own account. Ask another admin."
    if _is_last_admin(user, lock):
        if action == "demote":
            return f"{user.username} is the last active admin. Make someone else an admin first."
        return f"{user.username} is the last active admin and cannot be {action}d."
    return None


def refusals(user: User, actor) -> dict[str, str]:
    """The actions the page should offer as unavailable, each with the reason."""
    found = {action: refusal(action, user, actor) for action in ("demote", "disable", "delete")}
    return {action: reason for action, reason in found.items() if reason}


def _check(action: str, user: User, actor) -> None:
    reason = refusal(action, user, actor, lock=True)
    if reason:
        db.session.rollback()  # let go of the admins' rows
        raise PeopleError(reason)


def change_role(user: User, role: str, *, actor) -> bool:
    """Make the person an admin or a user; False when it already was their role."""
    if role not in ROLES:
        raise PeopleError("Choose Admin or User.")
    if user.is_owner:
        _check("demote", user, actor)
    if user.role == role:
        return False
    if role != ROLE_ADMIN:
        _check("demote", user, actor)
    old = user.role
    user.role = role
    audit.record(
        "user.role_changed",
        actor=actor,
        target=user.username,
        details={"old": old, "new": role},
    )
    access_changed(user.id)  # after the commit, so reconnecting sockets see the new role
    return True


def approve(user: User, *, actor) -> bool:
    """Let a waiting person in and tell them; False when they were not waiting."""
    if not user.pending:
        return False
    user.pending = False
    audit.record("user.approved", actor=actor, target=user.username)
    emit(
        "account.notice",
        "Welcome to MediaNest",
        "An admin approved your account. You can now browse the library.",
        user_ids=[user.id],
        level="success",
        commit=False,
    )
    resolve(subject_of("user", user.id))
    db.session.commit()  # resolve commits only when there was something to mark read
    return True


def disable(user: User, *, actor) -> bool:
    """Lock the person out and end their sessions and open pages at once."""
    if user.disabled:
        return False
    _check("disable", user, actor)
    user.disabled = True
    audit.record("user.disabled", actor=actor, target=user.username)
    resolve(subject_of("user", user.id))
    end_sessions(user.id)
    return True


def enable(user: User, *, actor) -> bool:
    if not user.disabled:
        return False
    user.disabled = False
    audit.record("user.enabled", actor=actor, target=user.username)
    return True


def delete(user: User, *, actor) -> str:
    """Remove the person; their notifications and sign-in links go with them. Returns the name."""
    _check("delete", user, actor)
    user_id, username = user.id, user.username
    audit.record(
        "user.deleted",
        actor=actor,
        target=username,
        details={"role": user.role, "email": user.email or ""},
        commit=False,
    )
    db.session.delete(user)
    db.session.commit()
    resolve(subject_of("user", user_id))
    access_changed(user_id)  # their open pages reconnect, and are refused
    return username


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    present: int = 0
    managed: int = 0


def import_plex_users(*, actor) -> ImportResult:
    """Add everyone the owner shares this Plex server with who has no account here yet."""
    token, machine_id = settings.get("plex.owner_token"), settings.get("plex.machine_id")
    if not (token and machine_id):
        raise PeopleError("Connect the Plex server first (Admin → Plex server), then import.")
    try:
        shared = plextv().shared_users(token)
    except PlexTvError as exc:
        raise PeopleError(f"Could not read your Plex friends: {exc}") from None
    shared = [s for s in shared if machine_id in s.server_ids]
    result = ImportResult(managed=sum(1 for s in shared if s.managed))
    candidates = [s for s in shared if not s.managed]
    linked = set(
        db.session.scalars(
            select(Identity.subject).where(
                Identity.provider == PLEX,
                Identity.issuer == PLEX_ISSUER,
                Identity.subject.in_([str(s.id) for s in candidates] or ["-"]),
            )
        )
    )
    role = settings.get("signup.default_role")
    try:
        for account in candidates:
            if str(account.id) in linked:
                result.present += 1
                continue
            result.added.append(_add_plex_user(account, role))
        audit.record(
            "users.imported",
            actor=actor,
            details={
                "added": len(result.added),
                "already here": result.present,
                "usernames": ", ".join(result.added),
            },
            commit=False,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise PeopleError("Someone else was importing at the same moment. Try again.") from None
    return result


def _add_plex_user(account: SharedUser, role: str) -> str:
    """A new user linked to this Plex account, let in at once with the default role."""
    user = User(
        username=free_username(account.username),
        email=account.email,
        avatar_url=account.thumb,
        role=role if role in ROLES else ROLE_USER,
    )
    db.session.add(user)
    db.session.add(
        Identity(
            provider=PLEX,
            issuer=PLEX_ISSUER,
            subject=str(account.id),
            display_name=account.username,
            user=user,
        )
    )
    return user.username
