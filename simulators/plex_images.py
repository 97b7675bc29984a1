"""The images of the loopback Plex Media Server: posters, art and composites, made as PNGs."""

import hashlib
import re
import struct
import zlib

from flask import Blueprint, Response, request

from simulators.faults import html_error
from simulators.plex_listings import find_library, library_of

PNG_TYPE = "image/png"
_IMAGE_URL = re.compile(r"^/library/(?:metadata|collections)/(\d+)/(thumb|art|composite)(?:/\d+)?$")

bp = Blueprint("plex_images", __name__)


def png(width: int, height: int, seed: bytes) -> bytes:
    """Return a two-colour PNG (a poster's top and bottom) made with zlib and struct alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    top, bottom = b"\x00" + seed[0:3] * width, b"\x00" + seed[3:6] * width
    split = height * 2 // 3
    raw = top * split + bottom * (height - split)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def image_response(rating_key, element: str, width=None, height=None) -> Response:
    library = library_of(rating_key)
    found = library.locate(rating_key) if library is not None else None
    if found is None:
        return html_error(404)
    natural = (300, 450) if element == "thumb" else (480, 270)
    try:
        width = min(2000, max(1, int(width))) if width else natural[0]
        height = min(2000, max(1, int(height))) if height else natural[1]
    except ValueError:
        return html_error(400)
    seed = hashlib.blake2b(f"{rating_key}:{element}".encode(), digest_size=6).digest()
    response = Response(png(width, height, seed), 200, content_type=PNG_TYPE)
    response.headers["Cache-Control"] = "max-age=86400"
    return response


@bp.get("/library/metadata/<rating_key>/<any(thumb, art):element>")
@bp.get("/library/metadata/<rating_key>/<any(thumb, art):element>/<int:stamp>")
def metadata_image(rating_key, element, stamp=None):
    return image_response(rating_key, element)


@bp.get("/library/collections/<rating_key>/composite/<int:stamp>")
def collection_composite(rating_key, stamp):
    width, height = request.args.get("width"), request.args.get("height")
    return image_response(rating_key, "thumb", width, height)


@bp.get("/library/sections/<key>/composite/<int:stamp>")
def section_composite(key, stamp):
    library = find_library(key)
    if library is None:
        return html_error(404)
    seed = hashlib.blake2b(f"section:{library.uuid}".encode(), digest_size=6).digest()
    return Response(png(480, 270, seed), 200, content_type=PNG_TYPE)


@bp.get("/photo/:/transcode")
def photo_transcode():
    match = _IMAGE_URL.match(request.args.get("url", "").split("?")[0])
    if match is None:
        return html_error(404)
    width, height = request.args.get("width"), request.args.get("height")
    element = "art" if match.group(2) == "art" else "thumb"
    return image_response(match.group(1), element, width, height)
