"""Landing finished videos in Plex: a path-scoped scan, then the playlist's collection.

publish_download(download_id) is an RQ job (see tasks.py for how it is started); it is safe to
run twice and reschedules itself through Download.plex_due_at when Plex is unreachable.
"""


def publish_download(download_id: int) -> str:
    """Scan the download's show folder in Plex, link episodes, and sync the playlist collection."""
    raise NotImplementedError


def sweep_publish() -> int:
    """Start publish jobs for downloads whose Plex step is due (called by the sweeper)."""
    raise NotImplementedError
