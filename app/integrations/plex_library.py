"""Plex library actions for downloads: the target library, path-scoped scans, episodes, collections.

plexapi for single reads and actions, as DESIGN.md says; every failure is a PlexServerError
written for people (app.integrations.plex_server).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionCheck:
    key: str
    title: str
    ok: bool  # a show library using the Personal Media agent
    hint: str | None  # what to change when not ok, in plain words


def find_section(base_url: str, token: str, ref: str) -> SectionCheck:
    """The library named by title or key, checked to be a Personal Media Shows library."""
    raise NotImplementedError


def show_sections(base_url: str, token: str) -> list[SectionCheck]:
    """Every show library, each checked, for the admin's choice."""
    raise NotImplementedError


def scan_folder(base_url: str, token: str, section_key: str, plex_folder: str) -> None:
    """Ask Plex to scan just this folder (as Plex sees it)."""
    raise NotImplementedError


def episodes_in(
    base_url: str, token: str, section_key: str, plex_folder: str
) -> tuple[str | None, dict[str, str]]:
    """(the show's rating key, {video id: episode rating key}) for files under the folder;
    a video id is read from the "[id]" at the end of its file name."""
    raise NotImplementedError


def sync_collection(
    base_url: str, token: str, section_key: str, title: str, keys: list[str], existing: str | None
) -> str:
    """Make the collection `title` hold exactly these episodes in this order; return its key."""
    raise NotImplementedError
