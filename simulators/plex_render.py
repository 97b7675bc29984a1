"""Render MediaContainers the way Plex Media Server writes them, in XML or JSON, fast."""

import json
import re

# Children that Plex's JSON renders as one object rather than an array.
JSON_OBJECTS = {"UltraBlurColors"}
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;"}
)


_SPECIAL = re.compile(r'[&<>"\n\r]')


def xml_value(value) -> str:
    """Return an attribute value as Plex writes it in XML (booleans as 1/0), escaped."""
    if type(value) is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if type(value) is bool:
        return "1" if value else "0"
    return str(value)


# Rendered one-attribute leaves (<Genre tag="Drama" />): the same few hundred recur on every page.
_LEAVES: dict[tuple, str] = {}


def _xml(out: list, tag: str, attrs: dict, children) -> None:
    if not children and len(attrs) == 1:
        ((name, value),) = attrs.items()
        key = (tag, name, value)
        text = _LEAVES.get(key)
        if text is None:
            text = f'<{tag} {name}="{xml_value(value)}" />\n'
            if len(_LEAVES) < 100_000:
                _LEAVES[key] = text
        out.append(text)
        return
    parts = [f"<{tag}"]
    for name, value in attrs.items():
        kind = type(value)
        if kind is str:
            if _SPECIAL.search(value):
                value = value.translate(_ESCAPES)
        elif kind is bool:
            value = "1" if value else "0"
        elif value is None:
            continue
        parts.append(f' {name}="{value}"')
    if children:
        parts.append(">\n")
        out.append("".join(parts))
        for child in children:
            _xml(out, *child)
        out.append(f"</{tag}>\n")
    else:
        parts.append(" />\n")
        out.append("".join(parts))


def render_xml(attrs: dict, children) -> str:
    """Return a MediaContainer document; ``children`` are (tag, attrs, children) tuples."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _xml(out, "MediaContainer", attrs, list(children))
    return "".join(out)


def _json(attrs: dict, children, list_key: str | None) -> dict:
    # Nodes are made fresh for each answer, so their attribute dicts are reused, not copied.
    data = attrs
    if None in data.values():
        data = {name: value for name, value in attrs.items() if value is not None}
    for tag, child_attrs, grandchildren in children:
        value = _json(child_attrs, grandchildren, None) if grandchildren else child_attrs
        if tag in JSON_OBJECTS:
            data[tag] = value
        else:
            key = list_key or tag
            if key in data:
                data[key].append(value)
            else:
                data[key] = [value]
    return data


def render_json(attrs: dict, children, list_key: str | None = None, meta=None) -> str:
    """Return ``{"MediaContainer": ...}``; items go under ``list_key`` (e.g. "Metadata")."""
    if meta is not None:
        attrs = {**attrs, "Meta": _json(meta[1], meta[2], None)}
    return json.dumps({"MediaContainer": _json(attrs, children, list_key)}, ensure_ascii=False)
