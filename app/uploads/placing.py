"""Into Plex: a ready upload is placed in the Home Videos folder and Plex scans just that folder.

The Home Videos library is a Personal Media Shows library, as for downloads: the collection a
person picks is the show folder, the date its season and episode, so Plex lists the videos by
date without looking anything up. ``sYYYYeMMDDNN - Title [key].ext`` carries our key, which is
how the job finds its episode again. place_upload is an RQ job, safe to run twice: the row
remembers where the file went, and the sweeper brings back a placement whose lease ran out.
"""

import errno
import logging
import os
import re
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

from redis.exceptions import RedisError
from sqlalchemy import or_, select, update

from app import settings
from app.after_commit import after_commit
from app.extensions import db
from app.integrations import plex_library
from app.integrations.plex_server import PlexServerError
from app.jobs import enqueue
from app.models.base import utcnow
from app.models.uploads import IN_PLEX, PLACING, READY, Upload
from app.uploads import processing, setup, storage

log = logging.getLogger(__name__)

JOB = "app.uploads.placing.place_upload"
LEASE = timedelta(minutes=5)
POLL_IN_JOB = 8  # seconds the job looks for the episode before it leaves the rest to the sweeper
MAX_ATTEMPTS = 6  # scans without the episode appearing before the person is told
RETRY_SECONDS = 20  # first wait between those; doubles
NAME_BYTES = 150  # of a title in a file name: with the code and key, well under 255 bytes
FOLDER_BYTES = 120
DEFAULT_COLLECTION = "Home Videos"
TITLE_CHARS, COLLECTION_CHARS, TITLE_BYTES = 200, 100, 800  # the columns' lengths
_ODD = re.compile(r"[\[\]]")  # brackets would be read as the key at the end of the name


def job_id(upload_id: int) -> str:
    return f"place-upload-{upload_id}"


# -- what the person chose ------------------------------------------------------------------------


def _bounded(text: str, limit: int) -> str:
    """text cut to at most limit UTF-8 bytes, on a character boundary."""
    return text.encode()[:limit].decode(errors="ignore").strip(" .")


def name_part(raw: str, limit: int) -> str:
    """A title or collection made safe as one path part on every filesystem."""
    return _bounded(_ODD.sub("", storage.cleaned(raw)), limit)


def choose(row: Upload, title: str, when: date, collection: str) -> None:
    """Remember the person's choice and make the Plex step due; the job starts after commit."""
    # Stored as they will be named on disk: the form checked them, a caller may not have.
    row.title = name_part(title, TITLE_BYTES)[:TITLE_CHARS] or "Home video"
    row.collection = name_part(collection, TITLE_BYTES)[:COLLECTION_CHARS] or DEFAULT_COLLECTION
    clock = row.taken_at.timetz() if row.taken_at else dt_time(12, tzinfo=UTC)
    row.taken_at = datetime.combine(when, clock)
    row.state, row.error, row.attempts, row.due_at = PLACING, "", 0, utcnow()
    row.updated_at = utcnow()
    upload_id = row.id
    after_commit(lambda: _start(upload_id))
    processing.announce_after_commit(row)


def _start(upload_id: int) -> bool:
    try:
        enqueue(JOB, upload_id, job_id=job_id(upload_id), job_timeout=300)
    except RedisError as exc:  # the row is due: the sweeper starts it later
        log.warning("Could not queue the Plex step of upload %s: %s", upload_id, exc)
        return False
    return True


def sweep() -> int:
    """Start the Plex step of uploads whose try is due or whose job died (the sweeper)."""
    due = db.session.scalars(
        select(Upload.id)
        .where(Upload.state == PLACING, or_(Upload.due_at.is_(None), Upload.due_at <= utcnow()))
        .order_by(Upload.due_at)
        .limit(200)
    ).all()
    db.session.rollback()
    return sum(_start(upload_id) for upload_id in due)


# -- the job --------------------------------------------------------------------------------------


def _claim(upload_id: int) -> Upload | None:
    row = db.session.get(Upload, upload_id)
    if row is None or row.state != PLACING:
        return None
    if row.due_at is not None and row.due_at > utcnow() + timedelta(seconds=1):
        return None  # a later try, or another job holds it
    same_due = Upload.due_at.is_(None) if row.due_at is None else Upload.due_at == row.due_at
    taken = db.session.execute(
        update(Upload)
        .where(Upload.id == upload_id, Upload.state == PLACING, same_due)
        .values(due_at=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    db.session.refresh(row)
    return row


def place_upload(upload_id: int) -> str:
    """Put the upload's file in the Home Videos folder, scan it in Plex, and find its episode."""
    row = _claim(upload_id)
    if row is None:
        db.session.rollback()
        return "skipped"
    try:
        base, token, section = _connection()
        if not row.plex_path:
            row.plex_path = _place_file(row)
            db.session.commit()  # a re-run scans this file rather than copying another
        folder = _show_folder(row)
        plex_library.scan_folder(base, token, section.key, folder)
        show_key, rating_key = _wait_for_episode(base, token, section.key, folder, row.key)
    except PlexServerError as exc:
        return _failed_try(row, str(exc))
    except OSError as exc:
        return _give_up(row, _disk_words(exc))
    if rating_key is None:
        return _failed_try(row, _not_listed_words())
    row.plex_show_key = show_key
    return _placed(row, rating_key, section.key)


def _connection() -> tuple[str, str, plex_library.SectionCheck]:
    base, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    ref = setup.library_ref()
    return plex_library.connected_section(base, token, ref, "home videos", "Upload settings")


def _target(row: Upload) -> Path:
    """Where the row says its file is in the Home Videos folder, never outside it."""
    root = setup.home_dir().resolve()
    path = (root / row.plex_path).resolve()
    if root not in path.parents:
        raise OSError(errno.EINVAL, "outside the Home Videos folder")
    return path


def _show_folder(row: Upload) -> str:
    """The collection's folder as Plex sees it: the show, which the scan and the lookup name."""
    _target(row)  # refuses a stored path that would lead outside
    return setup.as_plex_sees(setup.home_dir() / Path(row.plex_path).parts[0])


def _place_file(row: Upload) -> str:
    """Link (or copy) the original into <collection>/Season <year>/<code - title [key]>;
    returns its path under the Home Videos folder."""
    when = row.taken_at.date()
    show = name_part(row.collection, FOLDER_BYTES) or DEFAULT_COLLECTION
    folder = setup.home_dir() / show / f"Season {when.year}"
    folder.mkdir(parents=True, exist_ok=True)
    code = f"s{when.year:04d}e{when.month:02d}{when.day:02d}"
    taken = {p.name[len(code) : len(code) + 2] for p in folder.glob(f"{code}??*")}
    number = next(n for n in range(1, 100) if f"{n:02d}" not in taken) if len(taken) < 99 else 99
    title = name_part(row.title, NAME_BYTES) or "Home video"
    dest = folder / f"{code}{number:02d} - {title} [{row.key}].{row.container}"
    source = storage.original_path(row)
    hidden = folder / f".{row.key}.placing"
    hidden.unlink(missing_ok=True)
    try:
        os.link(source, hidden)  # same filesystem: no second copy of the bytes
    except OSError:
        shutil.copyfile(source, hidden)
    os.replace(hidden, dest)
    return dest.relative_to(setup.home_dir()).as_posix()


def _wait_for_episode(base: str, token: str, section_key: str, folder: str, key: str):
    """(the show's rating key, the episode's), or (None, None) if Plex has not listed it yet."""
    deadline = time.monotonic() + POLL_IN_JOB
    while True:
        show, episodes = plex_library.episodes_in(base, token, section_key, folder)
        if key in episodes or time.monotonic() > deadline:
            return (show, episodes[key]) if key in episodes else (None, None)
        time.sleep(1)


def _not_listed_words() -> str:
    return (
        "Plex has not listed the video after scanning its folder. Check that Plex sees the "
        f"Home Videos folder at {setup.plex_path()}."
    )


def _disk_words(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "The Home Videos folder's disk is full: free some space and send it again."
    return f"MediaNest could not write to the Home Videos folder: {exc.strerror or exc}."


def _placed(row: Upload, rating_key: str, section_key: str) -> str:
    row.state, row.plex_rating_key, row.error, row.due_at = IN_PLEX, rating_key, "", None
    row.updated_at = utcnow()
    under = row.collection or DEFAULT_COLLECTION
    words = f"“{row.title}” is in Plex under {under}."
    processing.tell(row, "upload.ready", f"In Plex: {row.title}", words)
    try:  # our library picks the episode up now, so the upload can link to it
        enqueue(
            "app.uploads.placing.sync_library", section_key, row.id, job_id=f"upload-lib-{row.id}"
        )
    except RedisError as exc:
        log.info("Library update after upload %s not queued: %s", row.id, exc)
    return IN_PLEX


def sync_library(section_key: str, upload_id: int) -> dict:
    """Pick the new episode up in our library, then let open pages link to it."""
    from app.library.tasks import section_update

    result = section_update(section_key)
    row = db.session.get(Upload, upload_id)
    if row is not None:
        processing.announce(row)
    return result


def _failed_try(row: Upload, words: str) -> str:
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS:
        return _give_up(row, words)
    row.error = words
    row.due_at = utcnow() + timedelta(seconds=RETRY_SECONDS * 2 ** (row.attempts - 1))
    row.updated_at = utcnow()
    processing.announce_after_commit(row)
    db.session.commit()
    return "retry"


def _give_up(row: Upload, words: str) -> str:
    """Back to ready with the reason; the file stays processed and can be sent again."""
    db.session.rollback()
    row = db.session.get(Upload, row.id)
    row.state, row.error, row.due_at = READY, words, None
    row.updated_at = utcnow()
    processing.tell(row, "upload.failed", f"Not in Plex: {row.title or row.filename}", words)
    return "failed"


# -- leaving Plex ---------------------------------------------------------------------------------


def remove_from_plex(row: Upload) -> None:
    """Remove the upload's file from the Home Videos folder; Plex forgets it on the next scan,
    which a job asks for once the caller commits."""
    if not row.plex_path:
        return
    try:
        path = _target(row)
    except OSError:
        return
    plex_folder = _show_folder(row)
    path.unlink(missing_ok=True)
    root = setup.home_dir().resolve()
    for folder in (path.parent, path.parent.parent):  # the season, then the collection
        if folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    row.plex_path, row.plex_rating_key, row.plex_show_key = "", None, None
    after_commit(lambda: _start_rescan(plex_folder))


def _start_rescan(plex_folder: str) -> None:
    try:
        enqueue("app.uploads.placing.rescan", plex_folder)
    except RedisError as exc:  # Plex's own scheduled scan removes it later
        log.warning("Could not ask Plex to rescan %s: %s", plex_folder, exc)


def rescan(plex_folder: str) -> str:
    """Ask Plex to scan a folder a video left, so the item goes from Plex too."""
    base, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    ref = setup.library_ref()
    if not (base and token and ref):
        return "not connected"
    section = plex_library.find_section(base, token, ref)
    plex_library.scan_folder(base, token, section.key, plex_folder)
    return "scanned"
