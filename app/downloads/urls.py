"""Which addresses a person may download from, and what each one is.

YouTube (and YouTube Music) is always allowed; an admin may add yt-dlp sites and hosts. Any
other scheme, host, or an address that resolves inside the network is refused in plain words,
unless the admin named that very host. Redirects and DNS answers at download time are guarded
again in the yt-dlp child process (app/integrations/ytdlp.py).
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from app.downloads.setup import YOUTUBE_HOSTS

MAX_URLS = 20
MAX_URL_LENGTH = 2000
VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
LIST_ID = re.compile(r"[A-Za-z0-9_-]{2,64}")
CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
HANDLE = re.compile(r"@[\w.\-]{3,100}")
HOST = re.compile(r"[a-z0-9._\-]+|\[[0-9a-f:.]+\]|[0-9a-f:.]+")  # a name or an IP, no spaces
CHANNEL_TABS = ("", "videos", "shorts", "streams", "featured")


class UrlRefused(ValueError):
    """An address MediaNest will not download from; the message says why and what is allowed."""


@dataclass(frozen=True)
class Source:
    url: str  # the address to hand to yt-dlp (canonical for YouTube)
    site: str  # "youtube", an allowed extractor's name, or "generic"
    kind: str | None  # video | playlist | channel, when the address says
    key: str  # what it is however it was spelled: "youtube:playlist:PL…"


def allowed_words(hosts=(), sites=()) -> str:
    extra = ", ".join([*sites, *hosts])
    return "YouTube and YouTube Music" + (f", and {extra}" if extra else "")


def split_urls(text: str) -> list[str]:
    """The addresses in what a person pasted: one per line, or several on a line separated by
    spaces or commas. A line of words that are not addresses stays one entry, refused once."""
    found = []
    for line in (text or "").splitlines():
        parts = [part for part in re.split(r"[\s,]+", line) if part]
        if parts and not all("." in part or "://" in part for part in parts):
            parts = [line.strip()]
        found.extend(parts)
    return list(dict.fromkeys(found))


def check(raw: str, *, hosts=(), sites=(), resolve=socket.getaddrinfo) -> Source:
    """The source this address names, or UrlRefused with the reason."""
    allowed = allowed_words(hosts, sites)
    if len(raw) > MAX_URL_LENGTH or not raw.isprintable():
        raise UrlRefused("That address is too long or has characters an address cannot have.")
    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(f"Only web addresses (https://) can be downloaded; allowed: {allowed}.")
    try:
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise UrlRefused("That is not a web address.") from None
    if not HOST.fullmatch(host) or parts.username or parts.password:
        raise UrlRefused("That is not a web address (no host, or a name and password in it).")
    if host in YOUTUBE_HOSTS:
        return _youtube(parts, host)
    named = _named(host, port, hosts)
    site = _site_for(raw, sites) if not named else None
    if not named and site is None:
        raise UrlRefused(f"{host} is not a site MediaNest downloads from; allowed: {allowed}.")
    if not named:
        _refuse_inside(host, resolve, allowed)
    url = parts._replace(fragment="").geturl()
    return Source(url, site or "generic", None, f"{site or 'generic'}:{url}")


def _named(host: str, port: int | None, hosts) -> bool:
    """Whether the admin named this host (a name also covers its subdomains; an IP only itself)."""
    for entry in hosts:
        name, _, want_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if want_port and (not want_port.isdigit() or int(want_port) != (port or 0)):
            continue
        name = name.strip("[]")
        if host == name or (not _is_ip(name) and host.endswith("." + name)):
            return True
    return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _site_for(url: str, sites) -> str | None:
    """The allowed yt-dlp extractor that reads this address, if any."""
    if not sites:
        return None
    from yt_dlp.extractor import gen_extractor_classes

    for extractor in gen_extractor_classes():
        name = extractor.ie_key().lower()
        if name in sites and name != "generic" and extractor.suitable(url):
            return name
    return None


def is_inside(address: str) -> bool:
    """Loopback, private, link-local and other addresses that are not the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _refuse_inside(host: str, resolve, allowed: str) -> None:
    try:
        answers = {info[4][0] for info in resolve(host, None)}
    except (OSError, UnicodeError):
        raise UrlRefused(f"{host} could not be found; check the address.") from None
    if not answers or any(is_inside(address) for address in answers):
        raise UrlRefused(
            f"{host} points inside your network, which downloads may not reach unless an admin "
            f"names it under Admin → Downloads; allowed: {allowed}."
        )


def _youtube(parts, host: str) -> Source:
    path = parts.path.rstrip("/")
    query = parse_qs(parts.query)
    video = (query.get("v") or [""])[0]
    segments = [s for s in path.split("/") if s]
    if host == "youtu.be" and segments:
        video = segments[0]
    elif len(segments) == 2 and segments[0] in ("shorts", "live", "embed", "v"):
        video = segments[1]
    if video:
        if not VIDEO_ID.fullmatch(video):
            raise UrlRefused("That YouTube address does not name a video.")
        return Source(
            f"https://www.youtube.com/watch?v={video}", "youtube", "video", f"youtube:video:{video}"
        )
    playlist = (query.get("list") or [""])[0]
    if segments == ["playlist"] and LIST_ID.fullmatch(playlist):
        return Source(
            f"https://www.youtube.com/playlist?list={playlist}",
            "youtube",
            "playlist",
            f"youtube:playlist:{playlist}",
        )
    channel = _channel(segments)
    if channel:
        return Source(
            f"https://www.youtube.com/{channel}/videos",
            "youtube",
            "channel",
            f"youtube:channel:{channel.lower()}",
        )
    raise UrlRefused(
        "That YouTube address is not a video, a playlist or a channel; paste the address "
        "from the browser's address bar."
    )


def _channel(segments: list[str]) -> str | None:
    if segments and HANDLE.fullmatch(segments[0]) and _tab(segments[1:]):
        return segments[0]
    if len(segments) >= 2 and segments[0] == "channel" and CHANNEL_ID.fullmatch(segments[1]):
        return f"channel/{segments[1]}" if _tab(segments[2:]) else None
    if (
        len(segments) >= 2
        and segments[0] in ("c", "user")
        and re.fullmatch(r"[\w.\-]{1,100}", segments[1])
    ):
        return f"{segments[0]}/{segments[1]}" if _tab(segments[2:]) else None
    return None


def _tab(rest: list[str]) -> bool:
    return len(rest) <= 1 and (not rest or rest[0] in CHANNEL_TABS)
