"""A person-readable name for the browser behind a session ("Firefox on Windows")."""

import re

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux".
BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
SYSTEMS = (
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
)


def _first(table, agent: str) -> str | None:
    return next((name for name, pattern in table if re.search(pattern, agent)), None)


def describe(user_agent: str | None) -> str:
    """'Chrome on Android', 'Firefox', or 'Unknown browser'."""
    agent = user_agent or ""
    browser, system = _first(BROWSERS, agent), _first(SYSTEMS, agent)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")
