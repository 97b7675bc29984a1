"""Single sign-on settings: read from a form, the provider checked through discovery, stored."""

from dataclasses import dataclass, field

from app import settings
from app.auth.usernames import visible
from app.integrations.oidc import OidcError, discover, url_problem

MAX_LABEL = 40
MAX_FIELD = 255


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    warning: str | None = None


def current() -> dict:
    """The stored values, with only whether a client secret is stored (never the secret)."""
    values = settings.get_many("oidc.")
    values["has_secret"] = bool(values.pop("oidc.client_secret"))
    values["active"] = values["oidc.enabled"]
    return values


def form_values(form) -> dict:
    """What the admin typed, to show the form again next to its errors (never the secret)."""
    return {
        "oidc.enabled": _checked(form, "enabled"),
        "oidc.issuer": form.get("issuer", "").strip(),
        "oidc.client_id": form.get("client_id", "").strip(),
        "oidc.admin_claim": form.get("admin_claim", "").strip(),
        "oidc.admin_value": form.get("admin_value", "").strip(),
        "oidc.label": visible(form.get("label", "")).strip(),  # a button's text, no NUL
        "has_secret": bool(settings.get("oidc.client_secret")),
        "active": settings.get("oidc.enabled"),
    }


def _checked(form, name: str) -> bool:
    return form.get(name) in ("1", "on", "y")


def save(form, *, actor) -> SaveResult:
    """Check every field, and the provider through discovery; store all (audited) or none."""
    result, values = SaveResult(), form_values(form)
    enabled, issuer = values["oidc.enabled"], values["oidc.issuer"]
    errors = result.errors
    for name in ("issuer", "client_id", "admin_claim", "admin_value"):
        if len(values[f"oidc.{name}"]) > MAX_FIELD:
            errors[name] = f"At most {MAX_FIELD} characters."
    if issuer and "issuer" not in errors:
        problem = url_problem(issuer)
        if problem:
            errors["issuer"] = problem
    if enabled and not issuer:
        errors["issuer"] = "Enter the provider's issuer URL to switch single sign-on on."
    if enabled and not values["oidc.client_id"]:
        errors["client_id"] = "Enter the client ID the provider gave MediaNest."
    if values["oidc.admin_value"] and not values["oidc.admin_claim"]:
        errors["admin_claim"] = "Name the claim that holds this value, for example groups."
    if not values["oidc.label"]:
        errors["label"] = "Enter the text of the sign-in button."
    elif len(values["oidc.label"]) > MAX_LABEL:
        errors["label"] = f"At most {MAX_LABEL} characters."
    if issuer and "issuer" not in errors:
        try:
            # Store the issuer exactly as the provider spells it: ID tokens must match it.
            issuer = discover(issuer).issuer
        except OidcError as exc:
            if enabled:
                errors["issuer"] = f"{exc} Single sign-on stays off until this works."
            else:
                result.warning = f"Saved, but the provider could not be checked: {exc}"
    if errors:
        result.warning = None
        return result
    changes = {
        "oidc.enabled": enabled,
        "oidc.issuer": issuer,
        "oidc.client_id": values["oidc.client_id"],
        "oidc.admin_claim": values["oidc.admin_claim"],
        "oidc.admin_value": values["oidc.admin_value"],
        "oidc.label": values["oidc.label"],
    }
    secret = form.get("client_secret", "")
    if _checked(form, "clear_secret"):
        changes["oidc.client_secret"] = ""
    elif secret.strip():
        changes["oidc.client_secret"] = secret.strip()
    result.changed = settings.put(changes, actor=actor)
    return result
