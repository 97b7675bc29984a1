"""Forms read text fields only: a file or a JSON body where a form belongs is bad input, not a 500.

A view marked `shows_form` shows its Form again with the error beside the field; any other file
part is answered with 400 before the view runs; only views marked `accepts_files` take files.
"""

from flask import Flask, current_app, request
from flask_wtf import FlaskForm

FILE_IN_TEXT = "This takes text, not a file."


SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Form(FlaskForm):
    """A Flask-WTF form that reads the submitted text fields and nothing else."""

    def __init__(self, **kwargs):
        # Flask-WTF would also read file parts and JSON bodies into text fields.
        submitted = request.method in SUBMIT_METHODS
        super().__init__(formdata=request.form if submitted else None, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name in request.files:
            field = self._fields.get(name)
            if field is not None and name != "csrf_token":
                field.errors = [FILE_IN_TEXT, *field.errors]
                valid = False
        return valid


def shows_form(form_class):
    """Mark a view whose Form reports a file sent in one of its fields beside that field."""
    fields = {name for name in dir(form_class) if hasattr(getattr(form_class, name), "field_class")}

    def mark(view):
        view.form_fields = frozenset(fields)
        return view

    return mark


def accepts_files(view):
    """Mark a view that takes file parts (uploads, Plex's webhook with its thumbnail)."""
    view.accepts_files = True
    return view


def _refuse_misplaced_files():
    if not request.files:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "accepts_files", False):
        return None
    if set(request.files) <= getattr(view, "form_fields", frozenset()):
        return None  # the form shows the error beside the field
    from app.errors import render_error

    return render_error(400, "This form takes text only, but a file was sent in it.")


def refuse_nameless_parts():
    """A multipart part without a name is no field of any form: a 400, before the CSRF check
    (which reads every name as text) fails on it."""
    if request.method not in SUBMIT_METHODS or request.mimetype != "multipart/form-data":
        return None
    if None not in request.form and None not in request.files:
        return None
    from app.errors import render_error

    return render_error(400, "This form has a part without a name; send the form again.")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_misplaced_files)
