"""Admin channels: read the add/edit form (SMTP fields or a raw Apprise URL), store the URL
encrypted, audit each change, and send a test message at once.
"""

import re
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app import audit
from app.crypto import SecretUnreadable
from app.extensions import db, redis_conn
from app.models.base import utcnow
from app.models.notify import NotifyChannel
from app.notify import channels, links
from app.notify.transports import Message, send_apprise, url_problem

MAX_NAME, MAX_FIELD, MAX_RECIPIENTS = 100, 500, 20
TEST_EVERY_SECONDS = 5
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
MODES = ("email", "url")
EXAMPLES = [
    ("Discord", "discord://webhook_id/webhook_token"),
    ("Slack", "slack://TokenA/TokenB/TokenC/#channel"),
    ("Telegram", "tgram://bot_token/chat_id"),
    ("ntfy", "ntfy://ntfy.sh/your-topic or ntfys://user:password@ntfy.example.com/topic"),
    ("Gotify", "gotifys://gotify.example.com/app_token"),
    ("Pushover", "pover://user_key@app_token"),
    ("Matrix", "matrixs://user:password@matrix.example.com/#room"),
    ("JSON webhook", "jsons://hooks.example.com/path (json:// for http)"),
]


@dataclass
class Submitted:
    values: dict
    errors: dict = field(default_factory=dict)
    url: str | None = None  # None: keep the stored URL (editing, nothing new typed)


def listed() -> list[NotifyChannel]:
    query = select(NotifyChannel).order_by(NotifyChannel.from_environment.desc(), NotifyChannel.id)
    return list(db.session.scalars(query))


def get(channel_id: int) -> NotifyChannel | None:
    return db.session.get(NotifyChannel, channel_id)


def blank() -> dict:
    return {
        "name": "",
        "mode": "email",
        "url": "",
        "admin_alerts": True,
        "enabled": True,
        "smtp": {"host": "", "port": "587", "security": "starttls", "sender": "", "username": ""}
        | {"to": ""},
    }


def _stored_smtp(channel: NotifyChannel | None) -> dict | None:
    if channel is None:
        return None
    try:
        return channels.smtp_fields_of(channels.url_of(channel))
    except SecretUnreadable:
        return None


def values_of(channel: NotifyChannel) -> dict:
    """The edit form's values: the SMTP fields of an email channel, never its password or URL."""
    smtp = _stored_smtp(channel)
    values = blank() | {
        "name": channel.name,
        "mode": "email" if smtp else "url",
        "admin_alerts": channel.admin_alerts,
        "enabled": channel.enabled,
    }
    if smtp:
        values["smtp"] = {k: v for k, v in smtp.items() if k != "password"}
    return values


def _text(form, name: str, limit: int = MAX_FIELD) -> tuple[str, bool]:
    """A field's text, stripped, and whether it fits (printable and within the limit)."""
    raw = form.get(name) or ""
    value = raw.strip()
    return value[:limit], len(raw) <= limit * 4 and len(value) <= limit and value.isprintable()


def _recipients(raw: str) -> list[str] | None:
    found = [part for part in re.split(r"[\s,;]+", raw) if part]
    if not found or len(found) > MAX_RECIPIENTS:
        return None
    return found if all(channels.ADDRESS.match(address) for address in found) else None


def _port(raw: str, security: str) -> int | None:
    if not raw:
        return channels.DEFAULT_PORTS.get(security, 587)
    if raw.isascii() and raw.isdigit() and len(raw) < 6 and 0 < int(raw) < 65536:
        return int(raw)
    return None


def _read_smtp(form, errors: dict, keep_password: str) -> tuple[dict, str | None]:
    smtp, fits = {}, {}
    for name in ("host", "port", "security", "sender", "username", "to", "password"):
        smtp[name], fits[name] = _text(form, f"smtp_{name}", 2000 if name == "to" else MAX_FIELD)
    if not fits["host"] or not smtp["host"] or not _HOST.match(smtp["host"]):
        errors["smtp_host"] = "Enter the SMTP server's host name, such as smtp.example.com."
    if smtp["security"] not in channels.SECURITY:
        errors["smtp_security"] = "Choose STARTTLS, SSL/TLS or none."
    port = _port(smtp["port"], smtp["security"])
    if port is None:
        errors["smtp_port"] = "Enter a port from 1 to 65535, such as 587 or 465."
    if not fits["sender"] or channels.sender_problem(smtp["sender"]):
        errors["smtp_sender"] = "Enter the sender's address, such as MediaNest <media@example.com>."
    if not fits["username"]:
        errors["smtp_username"] = "That user name is too long."
    if not fits["password"]:
        errors["smtp_password"] = "That password is too long."
    to = _recipients(smtp["to"]) if fits["to"] else None
    if to is None:
        errors["smtp_to"] = f"Enter one to {MAX_RECIPIENTS} email addresses, separated by commas."
    password = smtp.pop("password") or keep_password
    if errors:
        return smtp, None
    url = channels.smtp_apprise_url(
        smtp["host"], port, smtp["security"], smtp["sender"], to, smtp["username"], password
    )
    return smtp, url


def read_form(form, channel: NotifyChannel | None = None) -> Submitted:
    """Check the form; the URL to store (None to keep the stored one) or errors by field."""
    values = blank()
    values["name"], fits = _text(form, "name", MAX_NAME)
    values["mode"] = form.get("mode") if form.get("mode") in MODES else "url"
    values["admin_alerts"] = form.get("admin_alerts") == "1"
    values["enabled"] = form.get("enabled") == "1"
    submitted = Submitted(values)
    errors = submitted.errors
    if not values["name"] or not fits:
        errors["name"] = f"Give the channel a name of up to {MAX_NAME} characters."
    if values["mode"] == "email":
        stored = _stored_smtp(channel) or {}
        values["smtp"], submitted.url = _read_smtp(form, errors, stored.get("password", ""))
    else:
        typed, fits = _text(form, "url", 2000)
        if not typed and channel is not None and not _stored_smtp(channel):
            submitted.url = None  # left empty: the stored URL stays
        elif problem := (url_problem(typed) if fits else "That URL is too long."):
            errors["url"] = problem
        else:
            submitted.url = typed
    return submitted


def _details(channel: NotifyChannel) -> dict:
    return {"kind": channel.kind, "summary": channel.summary}


def _apply(channel: NotifyChannel, submitted: Submitted) -> None:
    channel.name = submitted.values["name"]
    channel.admin_alerts = submitted.values["admin_alerts"]
    channel.enabled = submitted.values["enabled"]
    if submitted.url is not None:
        channel.secret_url = channels.encrypt(submitted.url)
        channel.kind = channels.kind_of(submitted.url)
        channel.summary = channels.summary_of(submitted.url)
        channel.tested_at, channel.test_result = None, ""


def create(submitted: Submitted, *, actor) -> NotifyChannel:
    channel = NotifyChannel(from_environment=False)
    _apply(channel, submitted)
    db.session.add(channel)
    db.session.flush()
    audit.record("notify.channel_added", actor=actor, target=channel.name,
                 details=_details(channel), commit=False)  # fmt: skip
    db.session.commit()
    return channel


def update(channel: NotifyChannel, submitted: Submitted, *, actor) -> None:
    before = (channel.name, channel.summary, channel.admin_alerts, channel.enabled)
    _apply(channel, submitted)
    after = (channel.name, channel.summary, channel.admin_alerts, channel.enabled)
    if before == after and submitted.url is None:
        db.session.rollback()
        return
    details = _details(channel) | {"admin_alerts": channel.admin_alerts, "enabled": channel.enabled}
    details["url_changed"] = submitted.url is not None
    audit.record("notify.channel_changed", actor=actor, target=channel.name, details=details,
                 commit=False)  # fmt: skip
    db.session.commit()


def delete(channel: NotifyChannel, *, actor) -> None:
    audit.record("notify.channel_deleted", actor=actor, target=channel.name,
                 details=_details(channel), commit=False)  # fmt: skip
    db.session.delete(channel)
    db.session.commit()


def set_enabled(channel: NotifyChannel, enabled: bool, *, actor) -> bool:
    if channel.enabled == enabled:
        return False
    channel.enabled = enabled
    action = "notify.channel_enabled" if enabled else "notify.channel_disabled"
    audit.record(action, actor=actor, target=channel.name, commit=False)
    db.session.commit()
    return True


def test_message(name: str) -> Message:
    where = links.absolute("/admin/notifications")
    text = f"This is a test from MediaNest. If you can read it, the channel “{name}” works."
    return Message("MediaNest test message", f"{text}\n{where}".rstrip())


def may_test(key: str) -> bool:
    """One test per destination every TEST_EVERY_SECONDS, across every web process."""
    return bool(redis_conn().set(f"medianest:notify-test:{key}", 1, nx=True, ex=TEST_EVERY_SECONDS))


def send_test(channel: NotifyChannel) -> str:
    """Send a test through the channel now; the outcome in words, stored on the channel."""
    if not may_test(f"channel:{channel.id}"):
        return f"Wait {TEST_EVERY_SECONDS} seconds between tests of one channel."
    try:
        url = channels.url_of(channel)
    except SecretUnreadable:
        words = "The stored URL was saved under another secret key: enter it again."
    else:
        timeout = float(current_app.config["NOTIFY_TIMEOUT"])
        outcome = send_apprise(url, test_message(channel.name), timeout=timeout)
        words = "Sent." if outcome.ok else outcome.reason or "The service did not take it."
    channel.tested_at, channel.test_result = utcnow(), words[:500]
    db.session.commit()
    return words
