"""The Uploads pages: the drop zone and My uploads, one upload's page, its files, rename, delete.

Files are only ever read from paths built from the row (storage), never from the request; an
upload is its owner's and the admins', and a 404 for anyone else.
"""

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.htmx import render
from app.models import MediaItem
from app.models.uploads import IN_PLEX, PLACING, Upload
from app.uploads import access, bp, chunks, placing, plex_form, storage, views

PAGE_SIZE = 60
FILES = {"poster.jpg": "image/jpeg", "scrub.jpg": "image/jpeg", "preview.mp4": "video/mp4"}


def _mine(everyone: bool):
    query = select(Upload).order_by(Upload.created_at.desc(), Upload.id.desc()).limit(PAGE_SIZE)
    if not (everyone and current_user.is_admin):
        query = query.where(Upload.user_id == current_user.id)
    return db.session.scalars(query).all()


@bp.get("")
@login_required
def index():
    everyone = request.args.get("everyone") == "1" and current_user.is_admin
    return render(
        "uploads/index.html",
        uploads=_mine(everyone),
        everyone=everyone,
        room=views.room(current_user),
        chunk_size=current_app.config.get("UPLOAD_CHUNK_BYTES") or chunks.CLIENT_CHUNK,
    )


def library_key(row: Upload) -> int | None:
    """Its collection (a show) in our library once synced, for the "Open in library" link:
    our library lists shows, and the show's page lists its episodes."""
    if row.state != IN_PLEX or not (row.plex_show_key or "").isdigit():
        return None
    key = int(row.plex_show_key)
    found = db.session.scalar(select(MediaItem.rating_key).where(MediaItem.rating_key == key))
    return found


def detail_page(
    row: Upload, status_code: int = 200, plex_values=None, plex_errors=None, manage=False
):
    return render(
        "uploads/detail.html",
        status_code=status_code,
        upload=row,
        manage=manage,
        plex_values=plex_values or plex_form.prefilled(row),
        plex_errors=plex_errors or {},
        library_key=library_key(row),
    )


@bp.get("/<key>")
@login_required
def detail(key: str):
    return detail_page(access.visible_upload(key), manage=request.args.get("manage") == "1")


@bp.get("/<key>/<any('poster.jpg', 'scrub.jpg', 'preview.mp4'):name>")
@login_required
def derived(key: str, name: str):
    row = access.visible_upload(key)
    path = storage.derived_path(row.key, name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=FILES[name], conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<key>/original")
@login_required
def original(key: str):
    row = access.visible_upload(key)
    path = storage.original_path(row) if row.container else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=row.filename, conditional=True)


@bp.post("/<key>/rename")
@login_required
def rename(key: str):
    row = access.visible_upload(key)
    raw = request.form.get("title")
    raw = raw if isinstance(raw, str) else ""
    title = placing.name_part(raw, plex_form.TITLE_LIMIT * 4)[: plex_form.TITLE_LIMIT]
    if not raw.strip() or len(raw) > plex_form.TITLE_LIMIT or not raw.isprintable() or not title:
        flash(
            f"A title is 1 to {plex_form.TITLE_LIMIT} letters, numbers or spaces, without "
            "control characters.",
            "error",
        )
    elif row.state in (PLACING, IN_PLEX):
        flash("Take it out of Plex first; Plex keeps the title it was given.", "info")
    else:
        row.title = title
        db.session.commit()
        processing_event(row)
        flash(f"Renamed to “{title}”.", "success")
    return redirect(_back(row))


@bp.post("/<key>/delete")
@login_required
def delete(key: str):
    row = access.visible_upload(key)
    if row.state == PLACING:
        flash("It is on its way to Plex; delete it once it is there.", "info")
        return redirect(_back(row))
    placing.remove_from_plex(row)
    storage.remove_files(row)
    name = row.title or row.filename
    db.session.delete(row)
    db.session.commit()
    flash(f"Deleted “{name}” and its files.", "success")
    return redirect(url_for("uploads.index"))


def _back(row: Upload) -> str:
    wanted = request.form.get("next")
    if wanted == "index":
        return url_for("uploads.index")
    return url_for("uploads.detail", key=row.key)


def processing_event(row: Upload) -> None:
    from app.realtime.events import publish
    from app.uploads.processing import event

    publish(event(row), user_ids=[row.user_id], admins=True)
