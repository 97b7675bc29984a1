"""Answer as Plex Media Server does: a MediaContainer in XML, or in JSON when the client asks."""

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from flask import Response, current_app, request

XML_TYPE = "text/xml;charset=utf-8"
JSON_TYPE = "application/json"


@dataclass
class Node:
    """One child element of a MediaContainer: a tag, its attributes and its own children."""

    tag: str
    attrs: dict
    children: list["Node"] = field(default_factory=list)


def identity():
    """Return the server this app stands in for."""
    return current_app.config["PLEX_IDENTITY"]


def wants_json() -> bool:
    """Say whether the client asked for JSON (otherwise Plex answers XML)."""
    return "application/json" in request.headers.get("Accept", "")


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _xml_element(tag: str, attrs: dict, children) -> ET.Element:
    element = ET.Element(tag, {k: _xml_value(v) for k, v in attrs.items() if v is not None})
    for child in children:
        element.append(_xml_element(child.tag, child.attrs, child.children))
    return element


def _json_object(attrs: dict, children) -> dict:
    data = dict(attrs)
    for child in children:
        data.setdefault(child.tag, []).append(_json_object(child.attrs, child.children))
    return data


def container(attrs: dict, children=(), status: int = 200) -> Response:
    """Answer a MediaContainer as JSON or XML, whichever the client asked for."""
    children = list(children)
    if wants_json():
        body = json.dumps({"MediaContainer": _json_object(attrs, children)})
        return Response(body, status, content_type=JSON_TYPE)
    root = _xml_element("MediaContainer", attrs, children)
    ET.indent(root)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return Response(body + "\n", status, content_type=XML_TYPE)
