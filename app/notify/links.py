"""Links back to MediaNest in messages, from the public base URL."""

from flask import current_app, has_request_context, request

from app import settings


def base_url() -> str:
    """instance.public_url, else MEDIANEST_PUBLIC_URL, else (in a request) the address in use."""
    found = settings.get("instance.public_url") or current_app.config.get("PUBLIC_URL") or ""
    if not found and has_request_context():
        found = request.host_url
    return found.rstrip("/")


def absolute(path: str | None, base: str | None = None) -> str:
    """ "/requests/4" -> "https://media.example.com/requests/4" (the path alone without a base).
    A message of many links reads the base once and passes it."""
    base = base_url() if base is None else base
    if not path:
        return base
    return f"{base}{path}" if path.startswith("/") else path
