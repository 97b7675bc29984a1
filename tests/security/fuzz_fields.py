"""The names of the fields each endpoint reads, found three ways so a new one is not missed.

1. The view's source and the source of what it hands `request` (or its form or args) to.
2. The pages: every form and htmx element that sends to the endpoint, as a browser sees them.
3. The access table's form and query, and a few fields by hand (headers the tus protocol reads).
"""

import inspect
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# form.get("x"), args.getlist("x"), values["x"]: any text key read from a mapping.
READS = re.compile(rf"""\.(?:get|getlist|pop)\(\s*["']({NAME})["']|\[\s*["']({NAME})["']\s*\]""")
# A call that is handed the request, or a part of it: the callee reads fields too.
HANDED = re.compile(r"([A-Za-z_][\w.]*)\((?:[^()]*?\b)?request(?:\.(?:form|args|values))?\b")
FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(")
# Keys that are not fields: session and settings keys, config, response headers.
NOT_FIELDS = {"csrf_token", "_user_id", "_fresh", "Location", "HX-Request", "HX-Trigger"}
NOT_FIELDS |= {"GET", "POST", "PUT", "PATCH", "DELETE"}  # methods=["POST"] in a route
SENDERS = ("action", "hx-post", "hx-get", "hx-put", "hx-patch", "hx-delete")
FIELD_TAGS = ("input", "select", "textarea", "button")
# Read from headers, not a form: what a tus client sends.
TUS_HEADERS = ("Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata")
BY_HAND: dict[str, set[str]] = {
    "uploads.create": {*TUS_HEADERS},
    "uploads.upload": {*TUS_HEADERS, "Content-Type"},
    "uploads.offset": {"Tus-Resumable"},
    "uploads.terminate": {"Tus-Resumable"},
}
HEADER_FIELDS = {name for names in BY_HAND.values() for name in names}


def _source(thing) -> str:
    try:
        return inspect.getsource(inspect.unwrap(thing))
    except (OSError, TypeError):
        return ""


def _resolve(dotted: str, namespace: dict):
    head, *rest = dotted.split(".")
    thing = namespace.get(head)
    for part in rest:
        thing = getattr(thing, part, None)
    return thing


def _form_fields(cls) -> set[str]:
    return {n for n in dir(cls) if hasattr(getattr(cls, n, None), "field_class")}


def from_source(view, depth: int = 2) -> set[str]:
    """The keys the view reads, and those read by the functions it hands the request to."""
    view = inspect.unwrap(view)
    text = _source(view)
    found = {a or b for a, b in READS.findall(text)}
    namespace = getattr(view, "__globals__", {})
    for name in FORM_CLASS.findall(text):
        found |= _form_fields(_resolve(name, namespace))
    if depth:
        for dotted in set(HANDED.findall(text)):
            callee = _resolve(dotted, namespace)
            if callable(callee) and getattr(callee, "__module__", "").startswith("app"):
                found |= from_source(callee, depth - 1)
                owner = _resolve(dotted.rsplit(".", 1)[0], namespace) if "." in dotted else None
                if inspect.isclass(owner):  # RequestQuery.from_args: the class reads them all
                    found |= {a or b for a, b in READS.findall(_source(owner))}
    return found - NOT_FIELDS


class _Senders(HTMLParser):
    """Each form or htmx element's target and the field names that go with it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sent: list[tuple[str, str, set[str]]] = []  # (method, url, names)
        self._form: tuple[str, str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        target = next(((k, attrs[k]) for k in SENDERS if attrs.get(k)), None)
        if tag == "form" and target:
            method = (attrs.get("method") or "get").upper()
            if target[0].startswith("hx-"):
                method = target[0][3:].upper()
            self._form = (method, target[1], set())
            self.sent.append(self._form)
        elif target and target[0].startswith("hx-"):
            names = {attrs["name"]} if attrs.get("name") else set()
            self.sent.append((target[0][3:].upper(), target[1], names))
        if tag in FIELD_TAGS and attrs.get("name") and self._form:
            self._form[2].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def from_page(app, html: str) -> dict[str, set[str]]:
    """Endpoint -> the names its forms on this page send (query strings in the target too)."""
    parser = _Senders()
    parser.feed(html)
    adapter = app.url_map.bind("localhost")
    found: dict[str, set[str]] = {}
    for method, url, names in parser.sent:
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        try:
            endpoint, _ = adapter.match(parts.path, method=method)
        except HTTPException:
            continue
        query = {kv.split("=", 1)[0] for kv in parts.query.split("&") if kv}
        found.setdefault(endpoint, set()).update(names | query)
    return found


def literal_names(html: str) -> set[str]:
    """Every field name a page offers, whatever it sends to."""
    return set(re.findall(r'<(?:input|select|textarea|button)[^>]*\sname="([^"{}]+)"', html))


def merge(*maps: dict[str, set[str]]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for found in maps:
        for endpoint, names in found.items():
            merged.setdefault(endpoint, set()).update(names)
    return {endpoint: names - NOT_FIELDS for endpoint, names in merged.items()}
