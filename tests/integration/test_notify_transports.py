"""Apprise and SMTP against real loopback receivers: delivered, or refused in plain words."""

import pytest

from app.notify.transports import Message, parse_smtp_url, send_apprise, send_email, url_problem
from simulators.notify_receivers import HookReceiver, SmtpReceiver, free_port

HELLO = Message("Dune is on Plex", "Dune (2021) is ready to watch.", "<p><b>Dune</b> is ready.</p>")


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def hook():
    with HookReceiver() as receiver:
        yield receiver


def test_an_email_arrives_with_a_plain_and_an_html_part(smtp):
    outcome = send_email(
        parse_smtp_url(smtp.url), "MediaNest <m@example.com>", "a@example.com", HELLO, timeout=5
    )
    assert outcome.ok
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == "Dune is on Plex" and mail["To"] == "a@example.com"
    parts = {p.get_content_type(): p.get_content() for p in mail.walk() if not p.is_multipart()}
    assert "ready to watch" in parts["text/plain"] and "<b>Dune</b>" in parts["text/html"]


def test_a_temporary_refusal_can_be_retried_a_permanent_one_cannot(smtp):
    server = parse_smtp_url(smtp.url)
    smtp.fail_next(1, code=451)
    first = send_email(server, "m@example.com", "a@example.com", HELLO, timeout=5)
    assert not first.ok and not first.final and "451" in first.reason
    smtp.fail_next(1, code=550)
    second = send_email(server, "m@example.com", "a@example.com", HELLO, timeout=5)
    assert not second.ok and second.final
    assert send_email(server, "m@example.com", "a@example.com", HELLO, timeout=5).ok


def test_a_closed_port_and_a_bad_address_are_said_in_words():
    server = parse_smtp_url(f"smtp://127.0.0.1:{free_port()}?tls=none")
    refused = send_email(server, "m@example.com", "a@example.com", HELLO, timeout=2)
    assert not refused.ok and "refused the connection" in refused.reason
    bad = send_email(server, "m@example.com", "a@example.com\r\nBcc: x@y.z", HELLO, timeout=2)
    assert not bad.ok and bad.final and "not an email address" in bad.reason


@pytest.mark.parametrize(
    "url", ["", "http://", "smtp://", "ftp://host", "smtp://h:99999", "x" * 3000]
)
def test_what_is_not_an_smtp_url_is_refused(url):
    assert parse_smtp_url(url) is None


def test_smtp_urls_carry_their_security():
    assert parse_smtp_url("smtps://u:p%40ss@mail.example.com").port == 465
    server = parse_smtp_url("smtp://u:p%40ss@mail.example.com")
    assert (server.tls, server.port, server.password) == ("starttls", 587, "p@ss")


def test_a_json_webhook_receives_the_message(hook):
    assert send_apprise(f"json://127.0.0.1:{hook.port}/hook", HELLO, timeout=5).ok
    (post,) = hook.wait_for(1)
    assert post.path == "/hook" and post.json["title"] == "Dune is on Plex"


def test_an_ntfy_topic_receives_the_message(hook):
    assert send_apprise(f"ntfy://127.0.0.1:{hook.port}/movies", HELLO, timeout=5).ok
    (post,) = hook.wait_for(1)
    assert "Dune" in post.body.decode()


def test_a_webhook_answering_500_is_retried_and_404_is_final(hook):
    url = f"json://127.0.0.1:{hook.port}/hook"
    hook.fail_next(1, status=500)
    failed = send_apprise(url, HELLO, timeout=5)
    assert not failed.ok and not failed.final and "500" in failed.reason
    hook.fail_next(1, status=404)
    assert send_apprise(url, HELLO, timeout=5).final


@pytest.mark.parametrize(
    "url", ["", "not a url", "zzz://x", "json://" + "a" * 3000, "json://h/\r\nX"]
)
def test_urls_apprise_cannot_use_are_refused_in_words(url):
    assert url_problem(url)
