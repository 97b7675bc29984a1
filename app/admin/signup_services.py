"""Sign-up rules, read from a form and stored as settings."""

from dataclasses import dataclass, field

from app import settings
from app.admin.people_services import ROLES

KEYS = ("signup.approval_required", "signup.default_role")


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


def current() -> dict:
    return {key: settings.get(key) for key in KEYS}


def save(form, *, actor) -> SaveResult:
    """Check every field, then store them all (audited) or none."""
    result = SaveResult()
    changes = {"signup.approval_required": form.get("approval_required") in ("1", "on", "y")}
    role = form.get("default_role", "")
    if role in ROLES:
        changes["signup.default_role"] = role
    else:
        result.errors["default_role"] = "Choose User or Admin."
    if not result.errors:
        result.changed = settings.put(changes, actor=actor)
    return result
