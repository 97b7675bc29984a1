"""Request pages and actions: who may see and do what, the request form, lists and the queue."""

import html
import re

import pytest
from sqlalchemy import select

from app import settings
from app.extensions import db
from app.models import AuditEvent, MediaRequest
from app.requests import decisions, services
from tests.integration import request_helpers
from tests.integration.request_helpers import DUNE, WIRE, movie, person, request_row

known_titles, folks = request_helpers.known_titles, request_helpers.folks


@pytest.fixture
def made(app, folks, known_titles):
    """alice asked for Dune; bob follows it; alice asked for seasons 1-2 of The Wire."""
    with app.app_context():
        dune = services.create(person(folks.alice), DUNE).created
        services.create(person(folks.bob), DUNE)
        wire = services.create(person(folks.alice), WIRE, ["1", "2"]).created
        return {"dune": dune.id, "wire": wire.id, **vars(folks)}


def sign_in_as(auth, who):
    if who != "anonymous":
        assert auth.login(who).status_code == 302


def text(response) -> str:
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(words))


PAGES = {
    "/requests": {"anonymous": 302, "alice": 200, "bob": 200, "carol": 200, "owner": 200},
    "/requests/{wire}": {"anonymous": 302, "alice": 200, "bob": 404, "carol": 404, "owner": 200},
    "/requests/{dune}": {"anonymous": 302, "alice": 200, "bob": 200, "carol": 404, "owner": 200},
    "/admin/requests": {"anonymous": 302, "alice": 403, "bob": 403, "carol": 403, "owner": 200},
    "/requests/999999": {"anonymous": 302, "alice": 404, "bob": 404, "carol": 404, "owner": 404},
}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "alice", "bob", "carol", "owner"])
def test_who_may_see_request_pages(client, auth, made, path, who):
    auth.create("carol")
    sign_in_as(auth, who)
    response = client.get(path.format(**made))
    assert response.status_code == PAGES[path][who]
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


ADMIN_ACTIONS = [
    ("/admin/requests/{wire}/approve", {}),
    ("/admin/requests/{wire}/decline", {"reason": "No"}),
    ("/admin/requests/{wire}/seasons", {"season_list": "1"}),
    ("/admin/requests/{wire}/available", {}),
    ("/admin/requests/{wire}/retry", {}),
    ("/admin/requests/bulk", {"ids": "{wire}", "action": "approve"}),
]


@pytest.mark.parametrize("path, form", ADMIN_ACTIONS)
@pytest.mark.parametrize("who", ["anonymous", "alice", "owner"])
def test_only_admins_decide(app, client, auth, made, path, form, who):
    sign_in_as(auth, who)
    form = {k: v.format(**made) for k, v in form.items()}
    response = client.post_form(
        path.format(**made), form, page="/login" if who == "anonymous" else "/"
    )
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")
    elif who == "alice":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
    with app.app_context():
        decided = db.session.scalars(select(AuditEvent.action)).all()
        assert any(a.startswith("request.") for a in decided) == (
            who == "owner" and "retry" not in path
        )


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("alice", 302), ("carol", 404)])
def test_following_and_unfollowing(client, auth, made, who, status):
    auth.create("carol")
    sign_in_as(auth, who)
    page = "/login" if who == "anonymous" else "/"
    response = client.post_form(f"/requests/{made['dune']}/unfollow", page=page)
    assert response.status_code == status


def test_the_request_form_asks_and_a_second_click_changes_nothing(
    app, client, auth, folks, known_titles
):
    auth.login("alice")
    form = {"media_type": "movie", "tmdb_id": str(DUNE.tmdb_id), "client_token": "a" * 32}
    response = client.post_form("/requests", form, page="/")
    with app.app_context():
        [req] = db.session.scalars(select(MediaRequest)).all()
    assert response.headers["Location"] == f"/requests/{req.id}"
    page = client.get(response.headers["Location"])
    assert "Requested Dune (2021)." in text(page) and "Waiting for approval" in text(page)
    again = client.post_form("/requests", form, page="/")
    assert again.status_code == 302
    assert "Your request was already sent." in text(client.get(again.headers["Location"]))
    with app.app_context():
        assert len(db.session.scalars(select(MediaRequest)).all()) == 1


def test_the_box_answers_htmx_with_itself(app, client, auth, folks, known_titles):
    auth.login("alice")
    form = {"media_type": "tv", "tmdb_id": str(WIRE.tmdb_id), "seasons": ["1", "3"]}
    response = client.htmx_post("/requests", data={**form}, page="/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="request-box"' in html
    assert "Requested The Wire (2002), seasons 1, 3." in text(response)
    assert re.search(r'value="1"\s+disabled', html) and re.search(r'value="2"\s*>', html)
    assert "of 10 seasons left this week" in text(response)
    refused = client.htmx_post(
        "/requests", data={"media_type": "tv", "tmdb_id": str(WIRE.tmdb_id), "seasons": "7"}
    )
    assert refused.status_code == 200 and "The Wire has no season 7 to request." in text(refused)
    unknown = client.htmx_post("/requests", data={"media_type": "movie", "tmdb_id": "5"})
    assert unknown.status_code == 200 and "could not find that title" in text(unknown)


@pytest.mark.parametrize(
    "form",
    [
        {"media_type": "movie", "tmdb_id": str(2**63)},
        {"media_type": "movie", "tmdb_id": "-1"},
        {"media_type": "book", "tmdb_id": "5"},
        {"media_type": "tv", "tmdb_id": str(WIRE.tmdb_id), "seasons": "9" * 40},
        {"media_type": "movie", "tmdb_id": str(DUNE.tmdb_id), "client_token": "<x>" * 30},
    ],
)
def test_odd_forms_get_plain_answers(app, client, auth, folks, known_titles, form):
    auth.login("alice")
    response = client.post_form("/requests", form, page="/")
    assert response.status_code == 302
    assert response.status_code < 500


def test_my_requests_lists_mine_and_followed_with_quota_lines(client, auth, made):
    auth.login("bob")
    page = text(client.get("/requests"))
    assert "Dune" in page and "following" in page and "The Wire" not in page
    assert "movies left this week" in page
    auth.logout()
    auth.login("alice")
    page = text(client.get("/requests?type=tv"))
    assert "The Wire" in page and "Dune" not in page and "1 request" in page
    assert "Dune" in text(client.get("/requests?status=pending&sort=title"))
    odd = client.get("/requests?status=<script>&sort=x&type=y&page=-4")
    assert odd.status_code == 200 and "<script>" not in odd.get_data(as_text=True)


def test_the_detail_shows_history_and_why_it_was_declined(app, client, auth, made):
    with app.app_context():
        decisions.decline(
            request_row(made["wire"]), "We have it on DVD", actor=person(made["owner"])
        )
    auth.login("alice")
    page = text(client.get(f"/requests/{made['wire']}"))
    assert "Declined" in page and "We have it on DVD" in page
    assert "Requested The Wire (2002), seasons 1–2" in page and "by owner" in page
    assert "Approve" not in page  # no admin controls for the requester
    auth.logout()
    auth.login("bob")
    followed = text(client.get(f"/requests/{made['dune']}"))
    assert "Someone else; you follow it" in followed and "alice" not in followed


def test_the_queue_shows_waiting_requests_first_and_acts_in_bulk(app, client, auth, made):
    with app.app_context():
        settings.put({"requests.movie_limit": 0})
        for n in range(1, 25):
            services.create(person(made["bob"]), movie(n))
    auth.login()
    page = text(client.get("/admin/requests"))
    assert "26 waiting for approval" in page and "26 requests" in page
    assert "Page 1 of 2" in page and "alice" in page
    response = client.post_form(
        "/admin/requests/bulk",
        {"ids": [str(made["dune"]), str(made["wire"]), "x", str(2**70)], "action": "approve"},
        page="/admin/requests",
    )
    assert response.status_code == 302
    after = text(client.get(response.headers["Location"]))
    assert "Approved 2 requests." in after and "24 waiting for approval" in after
    declined = client.post_form(
        "/admin/requests/bulk", {"ids": str(made["dune"]), "action": "decline"}, page="/"
    )
    assert "Say why it is declined" in text(client.get(declined.headers["Location"]))
    shows = text(client.get("/admin/requests?status=all&type=tv"))
    assert "1 request" in shows and "The Wire" in shows


def test_the_box_shows_whose_request_it_is_and_offers_to_follow(app, auth, made):
    from app.requests.box import box_for

    carol_id = auth.create("carol")
    with app.app_context():
        alice, bob, carol = person(made["alice"]), person(made["bob"]), person(carol_id)
        mine = box_for(alice, DUNE)
        assert [r.id for r in mine["mine"]] == [made["dune"]] and not mine["can_request"]
        assert [r.id for r in box_for(bob, DUNE)["followed"]] == [made["dune"]]
        stranger = box_for(carol, DUNE)
        assert [r.id for r in stranger["followable"]] == [made["dune"]]
        assert stranger["mine"] == [] and stranger["quota"].line.startswith("5 of 5 movies")
        seasons = {row.number: row for row in box_for(carol, WIRE)["seasons"]}
        assert [seasons[n].state for n in range(1, 6)] == ["requested"] * 2 + ["open"] * 3
        assert seasons[1].request_id is None  # carol may not open alice's request
        assert box_for(alice, WIRE)["seasons"][0].request_id == made["wire"]
        assert box_for(person(made["owner"]), DUNE)["quota"] is None


def test_a_season_still_coming_of_a_partly_available_request_reads_processing(app, made):
    """Plex has none of seasons 1-2 yet: the request is partly there, but these seasons are not."""
    from app.discover import seasons
    from app.requests import states
    from app.requests.box import box_for
    from app.requests.lookup import states_for

    with app.app_context():
        db.session.get(MediaRequest, made["wire"]).status = states.PARTIALLY_AVAILABLE
        db.session.commit()
        alice = person(made["alice"])
        box_rows = box_for(alice, WIRE)["seasons"][:2]
        assert [row.label for row in box_rows] == ["Processing", "Processing"]
        requested = states_for([WIRE.key], alice)[WIRE.key]
        page_rows = seasons.rows(WIRE, None, requested)
        assert [row.requested for row in page_rows if row.season.number in (1, 2)] == [
            "Processing",
            "Processing",
        ]
        assert requested.label == "Partially available"  # the request itself says so still
