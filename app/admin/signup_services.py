"""Sign-up rules and the default quotas, read from a form and stored as settings."""

from dataclasses import dataclass, field

from app import settings
from app.admin.people_services import QUOTAS, ROLES, parse_quota

KEYS = ("signup.approval_required", "signup.default_role", "quota.requests", "quota.downloads")


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
    for name in QUOTAS:
        raw = form.get(name, "").strip()
        try:
            value = parse_quota(raw)
        except ValueError as exc:
            result.errors[name] = str(exc).replace(", or leave it blank to follow the default", "")
            continue
        if value is None:
            result.errors[name] = "Enter a number; 0 allows none."
        else:
            changes[f"quota.{name}"] = value
    if not result.errors:
        result.changed = settings.put(changes, actor=actor)
    return result
