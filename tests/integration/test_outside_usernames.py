"""Names from single sign-on and Plex follow the local rules and never look like someone else's."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.integration import oidc_helpers
from tests.integration.oidc_helpers import people, sign_in

idp, owner, sso = oidc_helpers.idp, oidc_helpers.owner, oidc_helpers.sso  # the provider's fixtures


@pytest.mark.parametrize(
    "given, expected",
    [
        ('<script>alert("u")</script><', "script-alert-u-script"),
        ("оwner", "owner-2"),  # a Cyrillic о: looks exactly like the owner's name
        ("0wner", "0wner-2"),
        ("ev\u202eil\x00na\r\nme", "evilname"),
        ("Jöhn Doe", "John-Doe"),
        ("Дмитрий", "Dmitrii"),
        ("山田", "user"),
        ("x" * 80, "x" * 28),
    ],
)
def test_a_single_sign_on_name_is_cleaned_and_kept_apart(app, client, sso, given, expected):
    sso.provider.add_user("dora", sub="sub-dora")
    sso.provider.users["dora"].preferred_username = given
    assert sign_in(client, sso, "dora").status_code == 302
    names = people(app)
    assert expected in names, sorted(names)
    assert "owner" in names and names["owner"].is_owner
    with app.app_context():
        targets = db.session.scalars(select(AuditEvent.target)).all()
    assert expected in targets and given not in targets


def test_a_plex_account_with_invisible_characters_signs_in_cleaned(plex_app, plex_world):
    from tests.integration.plex_helpers import plex_round_trip

    plex_world.friend.username = "fri\x00end\u202e"
    plex_world.friend.email = "friend\x00@example.com"
    client = plex_app.test_client()
    response = plex_round_trip(client, plex_world, plex_world.friend)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    friend = people(plex_app)["friend"]
    assert friend.email == "friend@example.com"
