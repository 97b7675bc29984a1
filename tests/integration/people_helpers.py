"""Fixtures and helpers shared by the People tests (test_admin_people_*.py)."""

import html

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User


@pytest.fixture
def people(app, auth):
    """The owner, a second admin (ada) and a user (bob); no one is signed in yet."""
    ids = {
        "owner": auth.owner(),
        "ada": auth.create("ada", role="admin"),
        "bob": auth.create("bob"),
    }
    with app.app_context():
        db.session.get(User, ids["bob"]).email = "Bob@Example.org"
        db.session.commit()
    return ids


@pytest.fixture
def as_ada(auth, people):
    assert auth.login("ada").status_code == 302
    return people


def text(response) -> str:
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
