"""Sending one message: through Apprise (any of its URLs), or as an email over SMTP.

Neither raises: each answers an Outcome in plain words ("the SMTP server refused the login",
"timed out after 15 s", "the service answered 500"), and says whether trying again could help.
"""

import functools
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import apprise

log = logging.getLogger(__name__)

MAX_URL = 2000
_HTTP_CODE = re.compile(r"\b([1-5]\d\d)\b")
_TLS = {"smtp": "starttls", "smtps": "ssl"}


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


def _load(url: str) -> apprise.Apprise | None:
    if not isinstance(url, str) or not url or len(url) > MAX_URL or any(c in url for c in "\r\n"):
        return None
    found = apprise.Apprise()
    try:
        return found if found.add(url) else None
    except Exception:  # a plugin that chokes on an odd URL is the URL's fault
        log.info("Apprise could not read a URL", exc_info=True)
        return None


def url_problem(url: str) -> str | None:
    """Why this Apprise URL cannot be used (in plain words), or None when Apprise accepts it."""
    if not isinstance(url, str) or not url.strip():
        return "Enter an Apprise URL, such as ntfy://ntfy.sh/my-topic."
    if len(url) > MAX_URL:
        return f"That URL is longer than {MAX_URL} characters."
    if _load(url.strip()) is None:
        return (
            "Apprise does not recognise that URL. Check the service's scheme and the parts it "
            "needs (see the Apprise wiki for your service)."
        )
    return None


def service_name(url: str) -> str:
    """Apprise's name for the URL's service ("Discord", "ntfy", "E-Mail"), or ""."""
    found = _load(url)
    return found[0].service_name if found else ""


def private_url(url: str) -> str:
    """The URL with its secrets masked by Apprise, for a summary."""
    found = _load(url)
    return found[0].url(privacy=True) if found else ""


def _last_words(result) -> str:
    words = ""
    for service in result:
        for attempt in service:
            for entry in attempt.logs:
                if entry.level in ("WARNING", "ERROR", logging.WARNING, logging.ERROR):
                    words = str(entry.message)
    return words


def _is_final(words: str) -> bool:
    match = _HTTP_CODE.search(words)
    return bool(match) and match.group(1).startswith("4") and match.group(1) not in ("408", "429")


def send_apprise(url: str, message: Message, *, timeout: float) -> Outcome:
    """Send through one Apprise URL; Apprise's own errors are captured and put in words."""
    found = _load(url)
    if found is None:
        return Outcome(False, "Apprise does not recognise this URL any more.", final=True)
    html = message.html is not None
    try:
        result = found.notify(
            body=message.html if html else message.text,
            title=message.title,
            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
            timeout=timeout,
        )
    except Exception as exc:  # a plugin bug must not stop the delivery job
        log.warning("Apprise failed while sending", exc_info=True)
        return Outcome(False, f"Sending failed inside Apprise ({type(exc).__name__}).")
    if result:
        return Outcome(True)
    words = _last_words(result) or "The service did not accept the message."
    return Outcome(False, words[:400], final=_is_final(words))


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: str  # "ssl" (smtps), "starttls" or "none"
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> Smtp | None:
    """smtp://user:pass@host:587 (STARTTLS when offered), smtps://…:465; None if it is not one.

    "?tls=none" on smtp:// never upgrades (a relay on loopback)."""
    if not isinstance(url, str) or len(url) > MAX_URL or any(c in url for c in "\r\n"):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _TLS or not parts.hostname:
        return None
    tls = _TLS[parts.scheme]
    if tls == "starttls" and "tls=none" in parts.query:
        tls = "none"
    return Smtp(
        host=parts.hostname,
        port=port or (465 if tls == "ssl" else 587),
        tls=tls,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def build_email(sender: str, to: str, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.title.replace("\r", " ").replace("\n", " ")[:200]
    email["From"] = sender
    email["To"] = Address(addr_spec=to)  # raises ValueError for an address that is not one
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Reading the system's certificates takes ~20 ms: once per process, not once per email.
    return ssl.create_default_context()


def _connect(smtp: Smtp, timeout: float) -> smtplib.SMTP:
    context = _tls_context()
    if smtp.tls == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
    client.ehlo()
    if smtp.tls == "starttls" and client.has_extn("starttls"):
        client.starttls(context=context)
        client.ehlo()
    return client


def send_email(smtp: Smtp, sender: str, to: str, message: Message, *, timeout: float) -> Outcome:
    """One email with a plain-text part and, when message.html is set, an HTML part."""
    try:
        email = build_email(sender, to, message)
    except (ValueError, TypeError, IndexError):
        return Outcome(False, f"{to!r} is not an email address we can send to.", final=True)
    where = f"the SMTP server {smtp.host}:{smtp.port}"
    try:
        with _connect(smtp, timeout) as client:
            if smtp.username:
                client.login(smtp.username, smtp.password)
            client.send_message(email)
    except smtplib.SMTPAuthenticationError:
        return Outcome(False, f"{where} refused the login; check the user name and password.")
    except smtplib.SMTPRecipientsRefused:
        return Outcome(False, f"{where} refused the address {to}.", final=True)
    except smtplib.SMTPSenderRefused:
        return Outcome(False, f"{where} refused the sender {sender}.", final=True)
    except smtplib.SMTPResponseException as exc:
        said = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        text = f"{where} answered {exc.smtp_code}: {said}"[:400]
        return Outcome(False, text, final=exc.smtp_code >= 500)
    except TimeoutError:
        return Outcome(False, f"{where} did not answer within {timeout:g} s.")
    except ConnectionRefusedError:
        return Outcome(False, f"{where} refused the connection.")
    except ssl.SSLError as exc:
        return Outcome(False, f"A secure connection to {where} failed ({exc.reason}).")
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, f"Could not reach {where} ({type(exc).__name__}).")
    return Outcome(True)
