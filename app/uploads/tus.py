"""The server side of tus 1.0.0 (core, creation, termination): uploads that resume.

A browser creates an upload (POST, with its length), then sends the bytes in chunks (PATCH at
the offset the server has); after a dropped connection it asks where to go on (HEAD). The bytes
go straight from the request to the file, a chunk at a time, so the web process's memory stays
flat whatever the size; the file on disk says how much has arrived.
"""

import base64
import binascii
import errno
import fcntl
import shutil
from datetime import timedelta

from flask import Response, abort, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import ClientDisconnected

from app.extensions import db
from app.models.base import utcnow
from app.models.uploads import UPLOADING, Upload
from app.uploads import bp, processing, storage
from app.uploads.views import size_words

VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"
READ_AT_ONCE = 1024 * 1024
METADATA_LIMIT = 4096
TOUCH_EVERY = timedelta(minutes=1)  # how often a row's updated_at follows the chunks arriving


def _answer(status: int, text: str = "", **headers) -> Response:
    response = Response(text + ("\n" if text else ""), status, mimetype="text/plain")
    response.headers["Tus-Resumable"] = VERSION
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = str(value)
    return response


def _digits(name: str) -> int | None:
    raw = request.headers.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    return int(raw)


def _metadata(raw: str) -> dict[str, str] | None:
    """Upload-Metadata: "key base64,key base64"; None when it is not that."""
    if len(raw) > METADATA_LIMIT:
        return None
    found = {}
    for pair in filter(None, (part.strip() for part in raw.split(","))):
        key, _, value = pair.partition(" ")
        try:
            found[key] = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    return found


def _own(key: str) -> Upload:
    """The person's own upload; anyone else's, or none, is a 404."""
    if not storage.KEY.fullmatch(key):
        abort(404)
    row = db.session.scalars(select(Upload).where(Upload.key == key)).first()
    if row is None or row.user_id != current_user.id:
        abort(404)
    return row


def _refusal(size: int) -> tuple[int, str] | None:
    """Why a file of this size may not be uploaded now, or None."""
    if size == 0:
        return 400, "The file is empty."
    limit = storage.max_file_bytes()
    if size > limit:
        return 413, f"Files may be at most {limit // storage.GB} GB."
    quota, used = storage.quota_bytes(current_user), storage.used_bytes(current_user.id)
    if quota is not None and used + size > quota:
        return 413, (
            f"This file would take you past your upload space: {size_words(used)} of "
            f"{quota / storage.GB:g} GB used. Delete an upload or ask an admin for more."
        )
    if shutil.disk_usage(storage.incoming_dir()).free < size:
        return 507, "The server has not enough free space for this file."
    return None


@bp.route("/files", methods=["OPTIONS"], provide_automatic_options=False)
@login_required
def options():
    if not current_user.is_authenticated:  # login_required lets OPTIONS through on purpose
        return _answer(401, "Sign in to upload.")
    return _answer(
        204,
        Tus_Version=VERSION,
        Tus_Extension="creation,termination",
        Tus_Max_Size=storage.max_file_bytes(),
    )


@bp.post("/files")
@login_required
def create():
    if request.headers.get("Tus-Resumable") != VERSION:
        return _answer(412, "This server speaks tus 1.0.0.", Tus_Version=VERSION)
    size = _digits("Upload-Length")
    if size is None:
        return _answer(400, "Upload-Length must be the file's size in bytes.")
    meta = _metadata(request.headers.get("Upload-Metadata", ""))
    if meta is None:
        return _answer(400, "Upload-Metadata is not a list of base64 values.")
    refused = _refusal(size)
    if refused:
        return _answer(*refused)
    row = Upload(
        key=storage.new_key(),
        user_id=current_user.id,
        filename=storage.clean_name(meta.get("filename", "")),
        size=size,
    )
    storage.part_path(row.key).touch(exist_ok=False)
    db.session.add(row)
    db.session.commit()
    return _answer(201, Location=url_for("uploads.upload", key=row.key, _external=True))


@bp.route("/files/<key>", methods=["HEAD"])
@login_required
def offset(key: str):
    row = _own(key)
    return _answer(200, Upload_Offset=storage.received(row.key), Upload_Length=row.size)


def _append(handle, at: int, length: int) -> tuple[int, str]:
    """Copy the request body to the file at `at`; (status, words) when it went wrong."""
    handle.seek(at)
    left = length
    try:
        while left:
            chunk = request.stream.read(min(READ_AT_ONCE, left))
            if not chunk:
                break
            handle.write(chunk)
            left -= len(chunk)
        handle.flush()
    except ClientDisconnected:
        handle.flush()  # what arrived is kept: the browser asks for the offset and goes on
        return 400, "The connection dropped; the upload goes on from where it stopped."
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        return 507, "The server's disk is full: the upload can go on once space is freed."
    return (0, "") if not left else (400, "The chunk ended before its Content-Length.")


@bp.route("/files/<key>", methods=["PATCH"], endpoint="upload")
@login_required
def patch(key: str):
    row = _own(key)
    if request.headers.get("Tus-Resumable") != VERSION:
        return _answer(412, "This server speaks tus 1.0.0.", Tus_Version=VERSION)
    if request.mimetype != OFFSET_TYPE:
        return _answer(415, f"Chunks are sent as {OFFSET_TYPE}.")
    at, length = _digits("Upload-Offset"), request.content_length
    if at is None or length is None:
        return _answer(400, "Upload-Offset and Content-Length are needed.")
    if row.state != UPLOADING:
        return _answer(409, "This upload is complete.", Upload_Offset=storage.received(key))
    with storage.part_path(key).open("r+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _answer(409, "This file is being uploaded from another tab or window.")
        have = storage.received(key)
        if at != have:
            return _answer(409, "The offset is not where the upload is.", Upload_Offset=have)
        if at + length > row.size:
            return _answer(413, "The chunk runs past the end of the file.", Upload_Offset=have)
        status, words = _append(handle, at, length)
        have = storage.received(key)
    if have == row.size:
        processing.request_processing(row)
    # A write per chunk would cost more than the chunk; "abandoned" is counted in hours anyway.
    if have == row.size or utcnow() - row.updated_at > TOUCH_EVERY:
        row.updated_at = utcnow()
        db.session.commit()
    else:
        db.session.rollback()
    if status:
        return _answer(status, words, Upload_Offset=have)
    return _answer(204, Upload_Offset=have)


@bp.route("/files/<key>", methods=["DELETE"])
@login_required
def terminate(key: str):
    """Termination: an upload still arriving is stopped and its bytes removed."""
    row = _own(key)
    if row.state != UPLOADING:
        return _answer(409, "Only an upload still arriving can be cancelled here.")
    storage.part_path(row.key).unlink(missing_ok=True)
    db.session.delete(row)
    db.session.commit()
    return _answer(204)
