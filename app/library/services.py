"""The library sync as the app runs it: runs, locks, reports, visibility and the webhook secret."""

import logging
import secrets
from collections.abc import Callable
from contextlib import contextmanager

from flask import current_app
from redis.exceptions import LockError, RedisError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app import audit, liveness, settings
from app.crypto import encrypt
from app.extensions import db, redis_conn
from app.library import plex_pages, section_rows, sync
from app.library.parse import SectionList, describe
from app.models.base import utcnow
from app.models.library import LibrarySection, SyncRun
from app.models.system import Setting

log = logging.getLogger(__name__)
STATISTICS_AFTER = 500  # rows a full sync changed before the planner's statistics are renewed

LOCK_PREFIX = "medianest:lock:library-sync:"
LOCK_SECONDS = 300  # renewed with every page; a dead worker's lock lapses after this
ALL_SECTIONS = "*"
WEBHOOK_SECRET = "plex.webhook_secret"
NOT_CONNECTED = "Plex is not connected yet: connect it under Admin → Plex server, then sync."


class SyncSkipped(Exception):
    """Another scan holds a library this one needs."""


def _noop(_event: dict) -> None:
    pass


def plex_connected() -> bool:
    return bool(settings.get("plex.server_url") and settings.get("plex.owner_token"))


def plex_reader() -> plex_pages.PlexReader:
    url, token = settings.get("plex.server_url"), settings.get("plex.owner_token")
    return plex_pages.PlexReader(url, token, current_app.config["LIBRARY_SYNC_TIMEOUT"])


@contextmanager
def section_locks(keys: list[str]):
    """Hold the sync lock of every library in `keys`, or raise SyncSkipped."""
    held = []
    try:
        for key in keys:
            lock = redis_conn().lock(LOCK_PREFIX + key, timeout=LOCK_SECONDS)
            if not _acquire(lock):
                raise SyncSkipped("Another sync of this library is running; this one was skipped.")
            held.append(lock)
        yield held
    finally:
        for lock in held:
            try:
                lock.release()
            except (LockError, RedisError):
                pass  # it lapsed; the next scan takes it


def _acquire(lock) -> bool:
    """Take the lock, or take it over from a sync whose worker was killed on this machine (its
    lock would otherwise hold every sync of the library back until it lapses)."""
    token = f"{liveness.holder_tag()}:{secrets.token_hex(8)}"
    if lock.acquire(blocking=False, token=token):
        return True
    held_by = lock.redis.get(lock.name)
    if held_by is None or not liveness.tag_gone(held_by.decode(errors="replace")):
        return False
    # Only the dead holder's value is removed: a sync that took it meanwhile keeps it.
    lock.redis.eval(TAKE_OVER, 1, lock.name, held_by)
    return bool(lock.acquire(blocking=False, token=token))


TAKE_OVER = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


def _renew(locks) -> None:
    for lock in locks:
        try:
            lock.reacquire()
        except (LockError, RedisError) as exc:
            log.warning("Could not renew a library sync lock: %s", exc)


def start_run(kind: str, section_key: str | None = None) -> SyncRun:
    run = SyncRun(kind=kind, section_key=section_key, status="running", problems=[])
    db.session.add(run)
    db.session.commit()
    return run


def _interrupted(section_key: str | None, run_id: int) -> None:
    """Runs still 'running' for libraries whose locks we now hold died with their worker."""
    query = update(SyncRun).where(SyncRun.status == "running", SyncRun.id != run_id)
    if section_key is not None:
        query = query.where(SyncRun.section_key == section_key)
    db.session.execute(
        query.values(
            status="failed", finished_at=utcnow(), error="Interrupted: the sync stopped unfinished."
        )
    )


def finish_run(run: SyncRun, tally: sync.Tally, error: str | None = None) -> dict:
    run.status = "failed" if error else "succeeded"
    run.error = error
    run.finished_at = utcnow()
    run.added, run.updated, run.removed, run.skipped = (
        tally.added,
        tally.updated,
        tally.removed,
        tally.skipped,
    )
    run.libraries_removed = tally.libraries_removed
    run.problems = describe(tally.problems, tally.examples)[:20]
    if _quiet(run):
        _forget_quiet_checks(keep=run.id)
    db.session.commit()
    return {**report(run), "added_kinds": section_rows.counted_words(tally.added_kinds)}


def _quiet(run: SyncRun) -> bool:
    """A check for new items that found nothing to do."""
    changes = run.added + run.updated + run.removed + run.skipped + run.libraries_removed
    return run.kind == "recent" and run.status == "succeeded" and not changes and not run.problems


def _forget_quiet_checks(keep: int) -> None:
    """Keep only the latest quiet check: one every 5 minutes would bury the history that matters."""
    db.session.execute(
        delete(SyncRun).where(
            SyncRun.id != keep,
            SyncRun.kind == "recent",
            SyncRun.status == "succeeded",
            SyncRun.added + SyncRun.updated + SyncRun.removed + SyncRun.skipped == 0,
            SyncRun.libraries_removed == 0,
        )
    )


def report(run: SyncRun) -> dict:
    return {
        "run": run.id,
        "kind": run.kind,
        "status": run.status,
        "added": run.added,
        "updated": run.updated,
        "removed": run.removed,
        "skipped": run.skipped,
        "libraries_removed": run.libraries_removed,
        "seconds": run.seconds or 0,  # rounded only where shown, so every figure agrees
        "problems": run.problems,
        "error": run.error,
    }


def _section_ids(reader: plex_pages.PlexReader) -> tuple[SectionList, dict[str, int]]:
    listing = reader.sections()
    with db.engine.begin() as conn:
        ids = section_rows.upsert_sections(conn, listing.sections)
    return listing, ids


def _returning(found: list[dict], only: str | None = None) -> list[dict]:
    """The listed libraries that were marked as removed from Plex: they came back."""
    with db.engine.connect() as conn:
        marked = set(
            conn.scalars(select(LibrarySection.key).where(LibrarySection.removed_at.is_not(None)))
        )
    return [s for s in found if s["key"] in marked and (only is None or s["key"] == only)]


def _counted(tally: sync.Tally, work: Callable) -> None:
    """Run work(conn, part) in one transaction; if it fails, keep only its problems."""
    part = sync.Tally()
    try:
        with db.engine.begin() as conn:
            work(conn, part)
    except Exception:
        tally.merge(part, counts=False)
        raise
    tally.merge(part)


def _run(kind: str, section_key: str | None, progress, lock_keys, scan) -> dict:
    """A sync run's frame: history row, Plex reader, locks, live progress and the report.

    lock_keys(listing, ids) names the libraries to lock; scan(reader, listing, ids, tick, tally)
    does the reading and writing. `listing` is the server's list of libraries, `ids` maps the
    key of every library stored (also those removed from Plex) to its id.
    """
    if not plex_connected():
        return {"status": "skipped", "message": NOT_CONNECTED}
    run = start_run(kind, section_key)
    tally = sync.Tally()
    reader = None
    try:
        reader = plex_reader()
        listing, ids = _section_ids(reader)
        with section_locks(lock_keys(listing, ids)) as locks:
            _interrupted(section_key, run.id)
            db.session.commit()

            def tick(event: dict) -> None:
                _renew(locks)
                progress({"type": "sync.progress", "run": run.id, **event})

            scan(reader, listing, ids, tick, tally)
    except SyncSkipped as exc:
        db.session.delete(run)
        db.session.commit()
        return {"status": "skipped", "message": str(exc)}
    except plex_pages.SyncFailed as exc:
        return finish_run(run, tally, str(exc))
    except Exception:
        log.exception("Library sync %s failed", run.id)
        db.session.rollback()
        return finish_run(run, tally, "The sync stopped on an unexpected error; see the logs.")
    finally:
        if reader is not None:
            reader.close()
    return finish_run(run, tally)


def _scan_whole(tally, reader, section: dict, section_id: int, tick, page_size: int) -> None:
    # One transaction per library: a failure leaves that library as it was, and its counts
    # out of the report (only its problems are kept).
    _counted(
        tally,
        lambda conn, part: sync.scan_section(
            conn, reader, section, section_id, part, tick, page_size
        ),
    )


def refresh_statistics() -> None:
    """Have the database re-read how common each word and value is in the catalog.

    Search and grid plans choose between an index and a scan by it; after a first sync of
    thousands of items, stale figures pick plans a hundred times slower.
    """
    if db.engine.dialect.name == "postgresql":
        # VACUUM too: it marks the pages all-visible, so tag filters and counts are answered
        # from the indexes alone. It cannot run inside a transaction.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) media_items, item_tags, library_sections")
        return
    with db.engine.begin() as conn:
        for table in ("media_items", "item_tags", "library_sections"):
            conn.exec_driver_sql(f"ANALYZE {table}")


def _page_size(page_size: int | None = None) -> int:
    return page_size or current_app.config["LIBRARY_PAGE_SIZE"]


def full_sync(progress: Callable[[dict], None] = _noop, page_size: int | None = None) -> dict:
    """Scan every library from the first page to the last; returns the run's report.

    When every library was read and the server's list of them was whole, the libraries no
    longer on it are marked as removed, with their items.
    """
    page_size = _page_size(page_size)

    def scan(reader, listing, ids, tick, tally) -> None:
        for section in listing.sections:
            _scan_whole(tally, reader, section, ids[section["key"]], tick, page_size)
        _counted(
            tally, lambda conn, part: section_rows.remove_missing_sections(conn, listing, part)
        )
        if tally.added + tally.updated + tally.removed >= STATISTICS_AFTER:
            refresh_statistics()

    # Every library stored is locked, also those about to be marked as removed.
    return _run("full", None, progress, lambda listing, ids: [ALL_SECTIONS, *ids], scan)


def recent_sync(
    progress: Callable[[dict], None] = _noop,
    section_key: str | None = None,
    kind: str = "recent",
) -> dict:
    """Read what Plex added since the newest item stored (all libraries, or one).

    A library that was removed from Plex and is listed again is read whole first, so it comes
    back with all of its items rather than only the new ones.
    """

    def lock_keys(listing, ids) -> list[str]:
        listed = [s["key"] for s in listing.sections]
        if section_key and section_key not in listed:
            raise plex_pages.SyncFailed(f"The Plex server has no library {section_key}.")
        return [section_key] if section_key else [ALL_SECTIONS, *listed]

    def scan(reader, listing, ids, tick, tally) -> None:
        for section in _returning(listing.sections, section_key):
            _scan_whole(tally, reader, section, ids[section["key"]], tick, _page_size())

        def work(conn, part) -> None:
            sync.scan_recent(conn, reader, ids, part, tick, only_section=section_key)
            section_rows.update_counts(conn, listing.sections, ids, section_key)

        _counted(tally, work)

    return _run(kind, section_key, progress, lock_keys, scan)


def sections() -> list[LibrarySection]:
    """Every library stored, for the admin: those removed from Plex last."""
    query = select(LibrarySection).order_by(
        LibrarySection.removed_at.is_not(None), LibrarySection.title
    )
    return list(db.session.scalars(query))


def recent_runs(limit: int = 50) -> list[SyncRun]:
    return list(db.session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


def running_run() -> SyncRun | None:
    return db.session.scalars(
        select(SyncRun).where(SyncRun.status == "running").order_by(SyncRun.id.desc()).limit(1)
    ).first()


def set_hidden(section_id: int, hidden: bool, *, actor=None) -> LibrarySection | None:
    section = db.session.get(LibrarySection, section_id)
    if section is None:
        return None
    if section.hidden != hidden:
        section.hidden = hidden
        audit.record(
            "library.hidden" if hidden else "library.shown",
            actor=actor,
            target=section.title,
            details={"section": section.key},
            commit=False,
        )
        db.session.commit()
    return section


def _new_secret() -> str:
    return encrypt(secrets.token_urlsafe(24))


def webhook_secret() -> str:
    """The secret in the Plex webhook address, made on first use (by whichever process is first)."""
    row = db.session.get(Setting, WEBHOOK_SECRET)
    if row is None:
        db.session.add(Setting(key=WEBHOOK_SECRET, value=_new_secret()))
    else:
        secret = settings.get(WEBHOOK_SECRET)
        if secret:
            return secret
        # Empty, or stored under another SECRET_KEY: replace it unless someone just did.
        db.session.execute(
            update(Setting)
            .where(Setting.key == WEBHOOK_SECRET, Setting.value == row.value)
            .values(value=_new_secret(), updated_at=utcnow())
        )
    try:
        db.session.commit()
    except IntegrityError:  # another process made it first
        db.session.rollback()
    return settings.get(WEBHOOK_SECRET)


def rotate_webhook_secret(*, actor=None) -> str:
    """Replace the webhook secret: the old address stops working at once."""
    webhook_secret()
    db.session.execute(
        update(Setting)
        .where(Setting.key == WEBHOOK_SECRET)
        .values(value=_new_secret(), updated_at=utcnow())
    )
    audit.record("library.webhook_rotated", actor=actor, target="Plex webhook", commit=False)
    db.session.commit()
    return settings.get(WEBHOOK_SECRET)


def secret_matches(offered: str) -> bool:
    secret = webhook_secret()
    return bool(secret) and secrets.compare_digest(offered.encode(), secret.encode())
