"""Reading Plex Media Server pages: the library list and paged listings, fetched ahead.

The bulk scans parse the XML themselves rather than going through plexapi, which builds a
Python object per item (several times slower on big libraries). The next page is fetched and
parsed in a thread while the caller handles the last one.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import requests

from app.library.parse import Page, SectionList, parse_page, parse_sections


class SyncFailed(Exception):
    """The scan could not finish; the message is written for people."""


class PlexReader:
    """Reads Plex Media Server pages as bytes, with errors that say what went wrong."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {"X-Plex-Token": token, "Accept": "application/xml", "X-Plex-Product": "MediaNest"}
        )

    def get(self, path: str, params: dict | None = None, headers: dict | None = None) -> bytes:
        url = self.base_url + path
        try:
            response = self.session.get(
                url, params=params, headers=headers, timeout=(5, self.timeout)
            )
        except requests.Timeout:
            raise SyncFailed(
                f"The Plex server did not answer {path} within {self.timeout:g} seconds."
            ) from None
        except requests.RequestException:
            raise SyncFailed(
                f"MediaNest could not reach the Plex server at {self.base_url}."
            ) from None
        if response.status_code == 401:
            raise SyncFailed("The Plex server did not accept the owner's token; reconnect Plex.")
        if response.status_code != 200:
            raise SyncFailed(
                f"The Plex server answered HTTP {response.status_code} for {path}; "
                "the catalog was left as it was and the next scheduled sync tries again."
            )
        return response.content

    def sections(self) -> SectionList:
        try:
            return parse_sections(self.get("/library/sections"))
        except (ValueError, SyntaxError) as exc:
            raise SyncFailed(
                f"The Plex server's list of libraries was unreadable ({exc})."
            ) from None

    def page(self, path: str, start: int, size: int, extra: dict | None = None) -> bytes:
        paging = {"X-Plex-Container-Start": str(start), "X-Plex-Container-Size": str(size)}
        return self.get(path, params={**(extra or {}), **paging}, headers=paging)

    def close(self) -> None:
        self.session.close()


def pages(
    reader: PlexReader, path: str, extra: dict, size: int, want_type: str | None = None
) -> Iterator[Page]:
    """Every page of a listing, each fetched and parsed while the caller handles the last one."""

    def fetch(start: int) -> Page:
        return parse_page(reader.page(path, start, size, extra), want_type)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="plex-page") as pool:
        start = 0
        future = pool.submit(fetch, start)
        while future is not None:
            page = future.result()
            seen = page.size if page.size is not None else len(page.items)
            start += size
            more = seen > 0 and (
                start < page.total_size if page.total_size is not None else seen >= size
            )
            future = pool.submit(fetch, start) if more else None
            try:
                yield page
            except GeneratorExit:
                if future is not None:
                    future.cancel()
                raise
