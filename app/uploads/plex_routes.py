"""Send to Plex: the person picks a title, a date and a collection; a job does the rest."""

from flask import flash, redirect, request, url_for
from flask_login import login_required

from app.extensions import db
from app.models.uploads import IN_PLEX, PLACING, READY
from app.uploads import access, bp, placing, plex_form

ALREADY = {
    PLACING: "It is on its way to Plex already.",
    IN_PLEX: "It is in Plex already.",
}


def _detail(row, **extra):
    from app.uploads.routes import detail_page

    return detail_page(row, **extra)


@bp.post("/<key>/plex")
@login_required
def send_to_plex(key: str):
    row = access.visible_upload(key)
    if row.state != READY:
        flash(ALREADY.get(row.state, "Only a processed upload can go to Plex."), "info")
        return redirect(url_for("uploads.detail", key=row.key))
    choice = plex_form.read(request.form)
    if choice.errors:
        typed = {n: str(request.form.get(n, ""))[:300] for n in ("title", "date", "collection")}
        return _detail(row, plex_values=typed, plex_errors=choice.errors, status_code=400)
    placing.choose(row, choice.title, choice.when, choice.collection)
    db.session.commit()
    flash(f"Sending “{choice.title}” to Plex: it appears under {choice.collection}.", "success")
    return redirect(url_for("uploads.detail", key=row.key))


@bp.post("/<key>/plex/remove")
@login_required
def remove_from_plex(key: str):
    """Take it out of Plex, keeping the upload (it can be sent again)."""
    row = access.visible_upload(key)
    if row.state != IN_PLEX:
        flash("It is not in Plex.", "info")
        return redirect(url_for("uploads.detail", key=row.key))
    placing.remove_from_plex(row)
    row.state = READY
    db.session.commit()
    flash("Removed from Plex; the upload is kept here.", "success")
    return redirect(url_for("uploads.detail", key=row.key))
