"""People: who may see the pages and act, and the table with its search, filters and pages."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Identity, User
from app.models.base import utcnow
from tests.integration import people_helpers
from tests.integration.people_helpers import audit_actions

people, as_ada = people_helpers.people, people_helpers.as_ada


PAGES = ["/admin/users", "/admin/users/{bob}", "/admin/users/{bob}/delete"]
ACTIONS = [
    ("/admin/users/import", {}),
    ("/admin/users/{bob}/role", {"role": "admin"}),
    ("/admin/users/{bob}/approve", {}),
    ("/admin/users/{bob}/disable", {}),
    ("/admin/users/{bob}/enable", {}),
    ("/admin/users/{bob}/delete", {}),
]


def sign_in_as(auth, who):
    if who != "anonymous":
        assert auth.login(who).status_code == 302


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("ada", 200)])
def test_who_may_see_the_people_pages(client, auth, people, path, who, status):
    sign_in_as(auth, who)
    response = client.get(path.format(**people))
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path, form", ACTIONS)
@pytest.mark.parametrize("who", ["anonymous", "bob", "ada"])
def test_who_may_act_on_people(app, client, auth, people, path, form, who):
    sign_in_as(auth, who)
    before = audit_actions(app)
    response = client.post_form(path.format(**people), form)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif who == "bob":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert not response.headers["Location"].startswith("/login")
    if who != "ada":
        assert [a for a in audit_actions(app) if a.startswith("user")] == [
            a for a in before if a.startswith("user")
        ]


# The table


def test_the_table_lists_everyone_with_what_an_admin_needs(app, client, as_ada):
    with app.app_context():
        bob = db.session.get(User, as_ada["bob"])
        db.session.add(Identity(provider="plex", issuer="plex.tv", subject="77", user=bob))
        db.session.add(
            Identity(provider="oidc", issuer="https://sso.example", subject="b", user=bob)
        )
        bob.last_login_at = utcnow() - timedelta(hours=3)
        db.session.commit()
    html = client.get("/admin/users").text
    row = html[html.index('id="person-{}"'.format(as_ada["bob"])) :].split("</tr>")[0]
    assert "bob" in row and "Bob@Example.org" in row
    assert "Password, OIDC, Plex" in row
    assert "3 hours ago" in row and ">Active<" in row and ">User<" in row
    table = html[html.index("<table") : html.index("</table>")]
    assert "Requests" not in table and "Downloads" not in table  # no such features yet
    assert "3 people" in html
    assert 'aria-current="page">People<' in html


def _many(app, n=30):
    with app.app_context():
        for i in range(n):
            db.session.add(
                User(
                    username=f"person{i:02d}",
                    email=f"p{i:02d}@friends.example",
                    pending=i % 10 == 0,
                    disabled=i % 10 == 1,
                    created_at=utcnow() - timedelta(days=i),
                    last_login_at=utcnow() - timedelta(minutes=i) if i % 2 else None,
                )
            )
        db.session.commit()


def test_search_matches_username_or_email_ignoring_case(app, client, as_ada):
    _many(app)
    by_name = client.get("/admin/users?q=PERSON0").text
    assert "10 people match" in by_name and "person09" in by_name and "person10" not in by_name
    by_email = client.get("/admin/users?q=example.ORG").text
    assert "1 person matches" in by_email and ">bob</a>" in by_email
    nothing = client.get("/admin/users?q=zzz%25_").text
    assert "No one matches this search" in nothing


@pytest.mark.parametrize(
    "query, expected",
    [
        ("role=admin", {"owner", "ada"}),
        ("status=pending", {"person00", "person10", "person20"}),
        ("status=disabled", {"person01", "person11", "person21"}),
        ("role=user&status=disabled&q=1", {"person01", "person11", "person21"}),
    ],
)
def test_filters_by_role_and_status(app, client, as_ada, query, expected):
    _many(app)
    html = client.get("/admin/users?" + query).text
    names = {name for name in _names(html)}
    assert names == expected


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', page)


def test_sorts_by_last_sign_in_and_by_join_date(app, client, as_ada):
    _many(app)
    recent = _names(client.get("/admin/users?sort=last_login").text)
    assert recent[:3] == ["ada", "person01", "person03"]  # ada signed in just now
    newest = _names(client.get("/admin/users?sort=created&q=person").text)
    assert newest[:3] == ["person00", "person01", "person02"]
    by_name = _names(client.get("/admin/users").text)
    assert by_name[:3] == ["ada", "bob", "owner"]


def test_pages_of_25_keep_the_search_in_their_links(app, client, as_ada):
    _many(app)
    first = client.get("/admin/users?q=person&sort=created").text
    assert "Page 1 of 2" in first and len(_names(first)) == 25
    assert 'href="/admin/users?q=person&amp;sort=created&amp;page=2"' in first
    second = client.get("/admin/users?q=person&sort=created&page=2").text
    assert _names(second) == [f"person{i}" for i in range(25, 30)]
    assert "Page 2 of 2" in client.get("/admin/users?q=person&page=999").text


@pytest.mark.parametrize(
    "query", ["role=wizard", "status=gone", "sort=password_hash", "page=abc", "page=-1", "page=²"]
)
def test_unknown_filter_values_are_ignored(client, as_ada, query):
    response = client.get("/admin/users?" + query)
    assert response.status_code == 200
    assert "3 people" in response.text


def test_live_search_swaps_only_the_table(client, as_ada):
    response = client.get("/admin/users?q=bo", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.text
    assert "<html" not in html and 'name="q"' not in html
    assert "1 person matches" in html and ">bob</a>" in html


def test_the_search_form_updates_the_address_for_back_and_share(client, as_ada):
    html = client.get("/admin/users").text
    form = html[html.index('class="filters"') :].split("</form>")[0]
    assert 'hx-push-url="true"' in form and 'hx-target="#people-table"' in form
    assert "delay:300ms" in form and 'method="get"' in html
