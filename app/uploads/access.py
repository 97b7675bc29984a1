"""Who may see an upload: its owner and admins; anyone else, and any odd key, gets a 404."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models.uploads import Upload
from app.uploads import storage


def visible_upload(key: str) -> Upload:
    if not isinstance(key, str) or not storage.KEY.fullmatch(key):
        abort(404)
    row = db.session.scalars(select(Upload).where(Upload.key == key)).first()
    if row is None or not (row.user_id == current_user.id or current_user.is_admin):
        abort(404)
    return row
