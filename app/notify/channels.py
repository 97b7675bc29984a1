"""Admin channels and people's own targets: checked, summarised without secrets, encrypted."""

from app.crypto import decrypt, encrypt  # noqa: F401  (the stored URL is always encrypted)


def summary_of(url: str) -> str:
    """What a list may show of an Apprise URL: its service and host, never a password or token
    ("Discord webhook", "ntfy topic on ntfy.sh", "Email via smtp.example.com:587")."""
    raise NotImplementedError


def kind_of(url: str) -> str:
    """The URL's Apprise scheme family ("mailto", "discord", "ntfy", "json"…)."""
    raise NotImplementedError


def smtp_apprise_url(host, port, tls, sender, to, username="", password="") -> str:
    """The Apprise mailto URL for the admin form's SMTP fields."""
    raise NotImplementedError


def url_of(row) -> str:
    """The plain Apprise URL of a NotifyChannel or PersonTarget, to send through."""
    return decrypt(row.secret_url)
