"""Admin channels and people's targets: checked, summarised without secrets, encrypted."""

import logging
import re
from email.utils import formataddr, parseaddr
from urllib.parse import quote, urlsplit

import apprise

from app.crypto import decrypt, encrypt  # noqa: F401  (the stored URL is always encrypted)

log = logging.getLogger(__name__)

SECURITY = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "None"}
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_APPRISE_MODES = {"insecure": "none", "starttls": "starttls", "ssl": "ssl"}
# A host worth naming: has a dot, is an address, or is localhost (a bare word is often a token).
_NAMED_HOST = re.compile(r"^(localhost|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|\[[0-9a-fA-F:]+\])$")
ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
_SERVICE_WORDS = {"json": "JSON webhook", "discord": "Discord webhook", "slack": "Slack webhook"}


def _plugin(url: str):
    if not isinstance(url, str) or not url or len(url) > 2000 or any(c in url for c in "\r\n"):
        return None
    found = apprise.Apprise()
    try:
        return found[0] if found.add(url.strip()) else None
    except Exception:  # an odd URL that makes a plugin choke is a URL Apprise cannot use
        log.info("Apprise could not read a URL", exc_info=True)
        return None


def _first(protocol) -> str:
    if isinstance(protocol, list | tuple):
        return str(protocol[0]) if protocol else ""
    return str(protocol or "")


def _email_summary(plugin) -> str:
    host, port = getattr(plugin, "smtp_host", "") or plugin.host, plugin.port
    where = f"{host}:{port}" if port else host
    to = [address for _name, address in getattr(plugin, "targets", [])]
    listed = ", ".join(to[:3]) + (f" and {len(to) - 3} more" if len(to) > 3 else "")
    return f"Email via {where}" + (f" to {listed}" if listed else "")


def summary_of(url: str) -> str:
    """What a list may show of an Apprise URL: its service and host, never a password or token
    ("Discord webhook", "ntfy topic on ntfy.sh", "Email via smtp.example.com:587")."""
    plugin = _plugin(url)
    if plugin is None:
        return "A URL Apprise does not recognise"
    if kind_of(url) == "mailto":
        return _email_summary(plugin)[:300]
    service = _SERVICE_WORDS.get(kind_of(url), str(plugin.service_name))
    if getattr(plugin, "mode", None) == "cloud" and kind_of(url) == "ntfy":
        return "ntfy topic on ntfy.sh"
    # Services without a self-hosted scheme (Discord, Slack, Telegram…) keep ids in the "host".
    host = str(getattr(plugin, "host", "") or "")
    if not _first(getattr(plugin, "protocol", None)) or not _NAMED_HOST.match(host):
        return service[:300]
    port = getattr(plugin, "port", None)
    return f"{service} on {host}{f':{port}' if port else ''}"[:300]


def kind_of(url: str) -> str:
    """The URL's Apprise scheme family ("mailto", "discord", "ntfy", "json"…)."""
    plugin = _plugin(url)
    if plugin is None:
        return (urlsplit(url).scheme.lower() if isinstance(url, str) else "")[:32] or "unknown"
    family = _first(plugin.protocol) or _first(plugin.secure_protocol)
    return (family or "unknown")[:32]


def smtp_apprise_url(host, port, tls, sender, to, username="", password="") -> str:
    """The Apprise mailto URL for the admin form's SMTP fields."""
    if tls not in SECURITY:
        raise ValueError(f"unknown security {tls!r}")
    scheme = "mailto" if tls == "none" else "mailtos"
    login = ""
    if username:
        login = quote(username, safe="")
        login += f":{quote(password, safe='')}" if password else ""
        login += "@"
    recipients = to if isinstance(to, str) else ",".join(to)
    query = f"from={quote(sender, safe='@')}&to={quote(recipients, safe='@,')}"
    if tls != "none":
        query += f"&mode={tls}"
    return f"{scheme}://{login}{host}:{int(port)}?{query}"


def smtp_fields_of(url: str) -> dict | None:
    """The SMTP form's fields read back from a mailto URL (the password is only for keeping it)."""
    plugin = _plugin(url)
    if plugin is None or kind_of(url) != "mailto":
        return None
    name, address = plugin.from_addr
    return {
        "host": getattr(plugin, "smtp_host", "") or plugin.host,
        "port": str(plugin.port or ""),
        "security": _APPRISE_MODES.get(getattr(plugin, "secure_mode", ""), "starttls"),
        "sender": formataddr((name, address)) if name else address,
        "username": plugin.user or "",
        "password": plugin.password or "",
        "to": ", ".join(address for _name, address in plugin.targets),
    }


def public_url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return "That address is not one: enter it as https://media.example.com."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter the address people open MediaNest at, with http:// or https://."
    if parts.username or parts.password or parts.query or parts.fragment:
        return "Enter the address only, without a user name, ? or #."
    if len(url) > 500 or not url.isprintable():
        return "That address is too long."
    return None


def sender_problem(sender: str) -> str | None:
    _name, address = parseaddr(sender)
    if len(sender) > 200 or not sender.isprintable() or not ADDRESS.match(address):
        return "Enter the sender's address, such as MediaNest <media@example.com>."
    return None


def url_of(row) -> str:
    """The plain Apprise URL of a NotifyChannel or PersonTarget, to send through."""
    return decrypt(row.secret_url)
