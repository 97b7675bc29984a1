"""Discover through Overseerr's own discover and search API, for installs without a TMDB key.

Overseerr answers with TMDB's facts in camelCase; they are read into snake case and then into
`Title`s the same way as TMDB's own answers.
"""

import re
from urllib.parse import quote

import requests
from flask import current_app

from app import settings
from app.discover.sources import NotFound, Unavailable, title_from_details, title_from_result

LISTS = {
    "trending": "/discover/trending",
    "popular_movies": "/discover/movies",
    "popular_tv": "/discover/tv",
    "upcoming": "/discover/movies/upcoming",
}
KINDS = {"popular_movies": "movie", "upcoming": "movie", "popular_tv": "tv"}
MAX_BYTES = 4 * 1024 * 1024
_CAPITAL = re.compile(r"(?<!^)([A-Z])")


def snake(value):
    """TMDB's own keys from Overseerr's: posterPath -> poster_path, in every nested object."""
    if isinstance(value, dict):
        return {_CAPITAL.sub(r"_\1", k).lower(): snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake(v) for v in value]
    return value


def connection() -> tuple[str, str]:
    """Overseerr's API address and key, from Admin → Requests or the environment."""
    url = settings.get("overseerr.url") or current_app.config.get("OVERSEERR_URL") or ""
    key = settings.get("overseerr.api_key") or current_app.config.get("OVERSEERR_API_KEY") or ""
    url = url.rstrip("/").removesuffix("/api/v1")
    return (f"{url}/api/v1" if url else ""), key


class OverseerrSource:
    name = "overseerr"

    def __init__(self, base_url: str, api_key: str, timeout: float):
        self.base_url, self.api_key, self.timeout = base_url, api_key, timeout

    @classmethod
    def configured(cls) -> "OverseerrSource | None":
        url, key = connection()
        if not (url and key):
            return None
        return cls(url, key, current_app.config.get("OVERSEERR_TIMEOUT", 10.0))

    def _get(self, path: str, **params) -> dict:
        # Overseerr's validator wants spaces as %20, not the + requests would send.
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        headers = {"X-Api-Key": self.api_key, "Accept": "application/json"}
        try:
            response = requests.get(
                url, headers=headers, timeout=(3.05, self.timeout), allow_redirects=False
            )
        except requests.Timeout:
            raise Unavailable(
                f"Overseerr did not answer within {self.timeout:g} seconds."
            ) from None
        except requests.RequestException:
            raise Unavailable("Overseerr could not be reached.") from None
        if response.status_code in (401, 403):
            raise Unavailable("Overseerr refused the API key; check it in Admin → Requests.")
        if response.status_code == 404:
            raise NotFound()
        if response.status_code != 200:
            raise Unavailable(f"Overseerr answered HTTP {response.status_code}.")
        if len(response.content) > MAX_BYTES:
            raise Unavailable("Overseerr sent a larger answer than we accept.")
        try:
            body = response.json()
        except ValueError:
            raise Unavailable("Overseerr sent an answer that is not JSON.") from None
        if not isinstance(body, dict):
            raise Unavailable("Overseerr sent an answer of an unexpected shape.")
        return snake(body)

    def fetch_list(self, name: str) -> list:
        body = self._get(LISTS[name], page=1, language="en")
        titles = (title_from_result(r, KINDS.get(name)) for r in body.get("results") or [])
        return [t for t in titles if t is not None]

    def search(self, query: str, page: int = 1) -> tuple[list, int]:
        body = self._get("/search", query=query, page=page, language="en")
        titles = [title_from_result(r) for r in body.get("results") or [] if isinstance(r, dict)]
        pages = body.get("total_pages")
        return [t for t in titles if t is not None], int(pages) if isinstance(
            pages, int | float
        ) else 1

    def details(self, media_type: str, tmdb_id: int):
        body = self._get(f"/{'movie' if media_type == 'movie' else 'tv'}/{int(tmdb_id)}")
        return title_from_details(body, media_type)
