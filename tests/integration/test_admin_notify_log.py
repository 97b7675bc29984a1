"""Admin → Notifications → Delivery log: newest first, counts per state, filters, and who may
resend what."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.notify import FAILED, PENDING, RETRYING, SENT, Delivery, NotifyEvent
from tests.conftest import PASSWORD, Accounts

LOG = "/admin/notifications/log"


@pytest.fixture
def admin(app):
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    assert accounts.login().status_code == 302
    return client


def seed(app) -> dict[str, int]:
    """Four deliveries, one per state, to two destinations; ids by state."""
    now = utcnow()
    with app.app_context():
        found = {}
        for age, (state, key, label, error) in enumerate(
            [
                (SENT, "channel:1", "Family Discord", ""),
                (FAILED, "email:7", "Email to alice", "the SMTP server refused the address"),
                (RETRYING, "channel:1", "Family Discord", "the service answered 500"),
                (PENDING, "email:7", "Email to alice", ""),
            ]
        ):
            event = NotifyEvent(type="request.available", title=f"Dune {age} is on Plex")
            db.session.add(event)
            db.session.flush()
            row = Delivery(event_id=event.id, channel=key.partition(":")[0], target_key=key,
                           label=label, state=state, last_error=error, attempts=age,
                           created_at=now - timedelta(minutes=10 - age))  # fmt: skip
            db.session.add(row)
            db.session.flush()
            found[state] = row.id
        db.session.commit()
        return found


def shown_ids(html: str, ids: dict) -> list[str]:
    positions = {s: html.find(f'id="delivery-{i}"') for s, i in ids.items()}
    return [s for s, at in sorted(positions.items(), key=lambda p: p[1]) if at >= 0]


def test_the_log_lists_newest_first_with_counts(app, admin):
    ids = seed(app)
    html = admin.get(LOG).get_data(as_text=True)
    assert shown_ids(html, ids) == [PENDING, RETRYING, FAILED, SENT]
    for label in ("Sent <strong>1</strong>", "Failed <strong>1</strong>", "Retrying <strong>1"):
        assert label in html
    assert "the SMTP server refused the address" in html and "Dune 1 is on Plex" in html
    assert html.count(">Resend</button>") == 2  # failed and sent only


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?state=failed", [FAILED]),
        ("?state=pending", [PENDING]),
        ("?target=channel:1", [RETRYING, SENT]),
        ("?state=sent&target=email:7", []),
        ("?state=nonsense&target=" + "x" * 5000, [PENDING, RETRYING, FAILED, SENT]),
        ("?page=99999999999999999999", [PENDING, RETRYING, FAILED, SENT]),
    ],
)
def test_filters_by_state_and_destination(app, admin, query, expected):
    ids = seed(app)
    response = admin.get(LOG + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_ids(html, ids) == expected
    if not expected:
        assert "No deliveries match." in html


def test_an_empty_log_says_so(admin):
    assert "Nothing has been sent yet." in admin.get(LOG).get_data(as_text=True)


def test_a_pending_delivery_is_not_resent(app, admin):
    ids = seed(app)
    response = admin.post_form(f"{LOG}/{ids[PENDING]}/resend?state=pending", page=LOG)
    assert response.status_code == 302 and response.location.endswith("?state=pending")
    assert "Only failed and sent" in admin.get(LOG).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Delivery, ids[PENDING]).state == PENDING


@pytest.mark.parametrize("ident", [2**63, 2**64, 99999])
def test_unknown_and_huge_ids_are_404(admin, ident):
    assert admin.post_form(f"{LOG}/{ident}/resend", page=LOG).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "person"])
def test_only_admins_see_the_log_and_resend(app, who):
    ids = seed(app)
    client = app.test_client()
    accounts = Accounts(app, client)
    accounts.owner()
    if who == "person":
        accounts.create("friend")
        accounts.login("friend", PASSWORD)
        assert client.get(LOG).status_code == 403
        response = client.post_form(f"{LOG}/{ids[FAILED]}/resend", page="/")
        assert response.status_code == 403
    else:
        response = client.get(LOG)
        assert response.status_code == 302 and "/login" in response.location
        assert client.post(f"{LOG}/{ids[FAILED]}/resend").status_code == 400  # no CSRF token
    with app.app_context():
        states = db.session.scalars(select(Delivery.state).order_by(Delivery.id)).all()
        assert states == [SENT, FAILED, RETRYING, PENDING]


def test_resend_without_a_csrf_token_is_refused(app, admin):
    ids = seed(app)
    assert admin.post(f"{LOG}/{ids[FAILED]}/resend").status_code == 400
