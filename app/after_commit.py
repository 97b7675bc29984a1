"""Work that may start only once the rows it reads are committed: jobs, events."""

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
KEY = "medianest_after_commit"


def after_commit(func: Callable[[], None]) -> None:
    """Run func after the current transaction commits; forget it if the transaction rolls back.

    A job enqueued before its row is committed may run first and find nothing; a message
    published for a change that then rolls back tells people something untrue.
    """
    db.session.info.setdefault(KEY, []).append(func)


@event.listens_for(Session, "after_commit")
def _run(session) -> None:
    for func in session.info.pop(KEY, ()):
        try:
            func()
        except Exception:  # one failed follow-up must not stop the others
            log.exception("Work after a commit failed")


@event.listens_for(Session, "after_rollback")
def _drop(session) -> None:
    session.info.pop(KEY, None)
