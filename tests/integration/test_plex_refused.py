"""A person Plex refuses is told which server it was and whom to ask."""

import html
import re

from app import settings
from app.extensions import db
from app.models import Identity, User
from tests.conftest import Accounts
from tests.integration.plex_helpers import plex_round_trip


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.text)).split())


def test_the_refusal_names_the_server_and_its_owner(plex_app, plex_world):
    response = plex_round_trip(plex_app.test_client(), plex_world, plex_world.stranger)
    assert response.status_code == 403
    page = words(response)
    assert "can't use Living Room" in page
    assert "Living Room, the Plex server behind this MediaNest, isn't shared" in page
    assert "ask owner, who runs this server, to share Living Room with stranger on Plex." in page


def test_the_owners_plex_name_is_given_when_it_differs(plex_app, plex_world):
    with plex_app.app_context():
        owner = db.session.query(User).filter_by(is_owner=True).one()
        owner.username = "Maria"
        db.session.add(
            Identity(
                provider="plex", issuer="plex.tv", subject="1", display_name="maria_p", user=owner
            )
        )
        db.session.commit()
    response = plex_round_trip(plex_app.test_client(), plex_world, plex_world.stranger)
    page = words(response)
    assert "ask Maria (maria_p on Plex), who runs this server, to share" in page


def test_before_a_server_is_connected_the_owner_is_still_named(make_app, plex_world):
    app = make_app(PLEX_TV_URL=plex_world.plextv_url, PLEX_APP_URL=plex_world.plextv_url)
    Accounts(app, None).owner("maria")
    with app.app_context():
        assert not settings.get("plex.machine_id")
    response = plex_round_trip(app.test_client(), plex_world, plex_world.friend)
    page = words(response)
    assert response.status_code == 403
    assert "Ask maria, who runs this server, to finish setting up MediaNest" in page
