"""Links back to MediaNest in messages, from the public base URL."""

from flask import current_app, has_request_context, request

from app import settings


def base_url() -> str:
    """instance.public_url, else MEDIANEST_PUBLIC_URL, else (in a request) the address in use."""
    found = settings.get("instance.public_url") or current_app.config.get("PUBLIC_URL") or ""
    if not found and has_request_context():
        found = request.host_url
    return found.rstrip("/")


def absolute(path: str | None) -> str:
    """ "/requests/4" -> "https://media.example.com/requests/4" (the path alone without a base)."""
    base = base_url()
    if not path:
        return base
    return f"{base}{path}" if path.startswith("/") else path
