"""Email to people: the SMTP server and sender (notify.smtp_url, notify.smtp_from), the public
base URL links point at (instance.public_url), and a test email to the admin's own address.
"""

from dataclasses import dataclass, field

from flask import current_app

from app import settings
from app.admin.notify_channels_services import may_test
from app.notify.channels import public_url_problem, sender_problem
from app.notify.transports import Message, parse_smtp_url, send_email

MAX_URL = 500


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


def current() -> dict:
    """The stored values; the SMTP URL only as where it points (its password never)."""
    smtp = parse_smtp_url(settings.get("notify.smtp_url") or "")
    return {
        "has_smtp": smtp is not None,
        "smtp_where": f"{smtp.host}:{smtp.port}" if smtp else "",
        "smtp_from": settings.get("notify.smtp_from"),
        "public_url": settings.get("instance.public_url"),
    }


def _field(form, name: str) -> str:
    return (form.get(name) or "").strip()[: MAX_URL * 4 + 1]


def save(form, *, actor) -> SaveResult:
    """Check every field; store all (audited as a settings change) or none."""
    result, changes = SaveResult(), {}
    smtp_url, sender = _field(form, "smtp_url"), _field(form, "smtp_from")
    public = _field(form, "public_url").rstrip("/")
    if smtp_url:
        if len(smtp_url) > MAX_URL * 2 or parse_smtp_url(smtp_url) is None:
            result.errors["smtp_url"] = (
                "Enter the server as smtp://user:password@host:587 (STARTTLS) or "
                "smtps://user:password@host:465 (SSL)."
            )
        else:
            changes["notify.smtp_url"] = smtp_url
    elif form.get("clear_smtp_url") == "1":
        changes["notify.smtp_url"] = ""
    if sender and (problem := sender_problem(sender)):
        result.errors["smtp_from"] = problem
    if public and (problem := public_url_problem(public)):
        result.errors["public_url"] = problem
    if result.errors:
        return result
    changes["notify.smtp_from"], changes["instance.public_url"] = sender, public
    result.changed = settings.put(changes, actor=actor)
    return result


def send_test_to(user) -> tuple[bool, str]:
    """A test email to the admin's own confirmed address, with the stored server; in words."""
    if not user.email:
        return False, (
            "Your account has no confirmed email address yet: add one under Profile → "
            "Notifications, then try again."
        )
    smtp = parse_smtp_url(settings.get("notify.smtp_url") or "")
    sender = settings.get("notify.smtp_from")
    if smtp is None or not sender:
        return False, "Save the SMTP server and the sender's address first."
    if not may_test(f"email:{user.id}"):
        return False, "Wait a few seconds between test emails."
    message = Message(
        "MediaNest test email",
        f"Hello {user.username}, this is a test from MediaNest: email to people works.",
    )
    timeout = float(current_app.config["NOTIFY_TIMEOUT"])
    outcome = send_email(smtp, sender, user.email, message, timeout=timeout)
    if outcome.ok:
        return True, f"Sent to {user.email}."
    return False, outcome.reason
