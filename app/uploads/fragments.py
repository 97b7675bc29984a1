"""Live uploads: a card and an upload's status read again from the database when one changes."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models.uploads import Upload
from app.realtime.fragments import renders
from app.uploads import plex_form, routes, storage


@renders("upload.changed")
def changed(event: dict) -> str | None:
    try:
        key = event.get("key")
        if not isinstance(key, str) or not storage.KEY.fullmatch(key):
            return None
        row = db.session.scalars(select(Upload).where(Upload.key == key)).first()
        if row is None or not (row.user_id == current_user.id or current_user.is_admin):
            return None
        html = render_template("uploads/_card.html", upload=row, oob=True) + _new_card(row)
        return html + render_template(
            "uploads/_body.html",
            upload=row,
            plex_values=plex_form.prefilled(row),
            plex_errors={},
            library_key=routes.library_key(row),
            oob=True,
        )
    finally:
        db.session.remove()  # the socket waits for its next event holding no connection


def _new_card(row: Upload) -> str:
    """The card at the top of each list that shows it, for a page that does not have it yet
    (another tab's upload); the page drops it when the card is already there."""
    whose = ["everyone"] if current_user.is_admin else []
    if row.user_id == current_user.id:
        whose.append("mine")
    card = render_template("uploads/_card.html", upload=row, oob=False)
    return "".join(
        f'<div hx-swap-oob="afterbegin:#upload-cards[data-whose={name}]">{card}</div>'
        for name in whose
    )
