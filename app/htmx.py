"""One place that decides between a full page and a fragment."""

from functools import wraps

from flask import make_response, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not a boosted navigation or restore)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template: str, block: str | None = None, status_code: int = 200, **context):
    """Render the whole page, or only `block` of it when htmx asks for a fragment."""
    if block and wants_fragment():
        html = render_block(template, block, **context)
    else:
        html = render_template(template, **context)
    response = make_response(html, status_code)
    response.vary.add("HX-Request")
    return response


def fragment_of(endpoint: str):
    """A view that answers htmx with a live fragment; opened as a page, it leads to `endpoint`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not wants_fragment():
                return redirect(url_for(endpoint))
            return view(*args, **kwargs)

        return wrapper

    return decorate
