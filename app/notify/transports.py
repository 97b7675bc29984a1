"""Sending one message: through Apprise (any of its URLs), or as an email over SMTP.

Neither raises: each answers an Outcome in plain words ("the SMTP server refused the login",
"timed out after 15 s", "the webhook answered 500"), and says whether trying again could help.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""  # plain words, no secrets (never the URL's password or token)
    final: bool = False  # True: retrying cannot help (a URL that does not parse, 4xx…)


@dataclass(frozen=True)
class Message:
    title: str
    text: str  # plain text, always
    html: str | None = None  # for email and the Apprise services that take HTML


def url_problem(url: str) -> str | None:
    """Why this Apprise URL cannot be used (in plain words), or None when Apprise accepts it."""
    raise NotImplementedError


def send_apprise(url: str, message: Message, *, timeout: float) -> Outcome:
    """Send through one Apprise URL; Apprise's own errors are captured and put in words."""
    raise NotImplementedError


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: str  # "ssl" (smtps), "starttls" or "none"
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> Smtp | None:
    """smtp://user:pass@host:587 (STARTTLS when offered), smtps://…:465; None if it is not one."""
    raise NotImplementedError


def send_email(smtp: Smtp, sender: str, to: str, message: Message, *, timeout: float) -> Outcome:
    """One email with a plain-text part and, when message.html is set, an HTML part."""
    raise NotImplementedError
