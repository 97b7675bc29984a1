"""How big one chunk of an upload may be: larger than any other request, so gigabytes arrive in
few requests (each costs a session and row lookup); the body is still read a MiB at a time."""

from flask import request

CHUNK_LIMIT = 64 * 1024 * 1024
CLIENT_CHUNK = 32 * 1024 * 1024  # what the page's tus client sends at once


def allow_upload_chunks() -> None:
    if request.method == "PATCH" and request.endpoint == "uploads.upload":
        request.max_content_length = CHUNK_LIMIT
