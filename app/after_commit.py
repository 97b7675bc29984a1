"""Work that may start only once the rows it reads are committed: jobs, events."""

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
KEY = "medianest_after_commit"
ONCE_KEY = "medianest_after_commit_once"


def after_commit(func: Callable[[], None], once: str | None = None) -> None:
    """Run func after the current transaction commits; forget it if the transaction rolls back.
    With `once`, only the first func registered under that name in the transaction runs.

    A job enqueued before its row is committed may run first and find nothing; a message
    published for a change that then rolls back tells people something untrue.
    """
    if once is not None:
        names = db.session.info.setdefault(ONCE_KEY, set())
        if once in names:
            return
        names.add(once)
    db.session.info.setdefault(KEY, []).append(func)


@event.listens_for(Session, "after_commit")
def _run(session) -> None:
    session.info.pop(ONCE_KEY, None)
    for func in session.info.pop(KEY, ()):
        try:
            func()
        except Exception:  # one failed follow-up must not stop the others
            log.exception("Work after a commit failed")


@event.listens_for(Session, "after_rollback")
def _drop(session) -> None:
    session.info.pop(KEY, None)
    session.info.pop(ONCE_KEY, None)
