"""Browser helpers: pages at other sizes and colour schemes, signing in, watching for errors."""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Records every Content-Security-Policy violation the page reports, so a test can read them.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Problems:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    def __init__(self, tab):
        self.errors: list[str] = []
        tab.on("console", self._console)
        tab.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


@pytest.fixture
def open_page(browser, live_server):
    """Open a new tab on the live server: open_page(viewport=PHONE, color_scheme="dark")."""
    contexts = []

    def factory(viewport=DESKTOP, color_scheme="light"):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, color_scheme=color_scheme
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_RECORDER)
        contexts.append(context)
        tab = context.new_page()
        tab.problems = Problems(tab)
        return tab

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(live_server):
    """Sign in through the form, as a person would, and wait for the live connection."""

    def action(tab, username="owner", password=PASSWORD):
        tab.goto("/login")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password", exact=True).fill(password)
        with tab.expect_websocket(lambda ws: ws.url.endswith("/ws")):
            tab.get_by_role("button", name="Sign in", exact=True).click()
        tab.wait_for_url(live_server.url + "/")
        wait_until_tab_live(tab)

    return action


def wait_until_tab_live(tab) -> None:
    """Block until this tab's socket is subscribed (the server marks the page live then)."""
    tab.locator('body[data-live="on"]').wait_for(state="attached", timeout=20_000)


def sockets_open(live_server) -> int:
    hub = live_server.app.extensions.get("medianest.hub")
    return hub.socket_count() if hub else 0


def wait_until_live(live_server, more_than: int = 0) -> None:
    """Block until this tab's socket is subscribed, so no pushed event is missed.

    With other tabs already live, pass their count: a second tab is live only once the count grows.
    """
    from tests.conftest import wait_for

    hub = wait_for(lambda: live_server.app.extensions.get("medianest.hub"), timeout=10)
    wait_for(lambda: hub.socket_count() > more_than, timeout=10)
    assert hub.listening.wait(10), "the live-update listener never subscribed"


def mark_page(tab) -> None:
    """Leave a marker on window that only survives while no full page load happens."""
    tab.evaluate("window.__sameDocument = true")


def same_document(tab) -> bool:
    return tab.evaluate("window.__sameDocument === true")


def csp_violations(tab) -> list[str]:
    return tab.evaluate("window.__cspViolations || []")


def screenshot(tab, name: str) -> None:
    """Keep a full-page picture to look at, when MEDIANEST_SCREENSHOTS names a folder for them."""
    folder = os.environ.get("MEDIANEST_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
