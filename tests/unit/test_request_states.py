"""A request only moves forward, so a replayed or late message never undoes progress."""

import pytest

from app.requests import states


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("pending", "approved", True),
        ("approved", "available", True),
        ("processing", "partially_available", True),
        ("partially_available", "available", True),
        ("processing", "approved", False),  # a late "approved" webhook after processing
        ("available", "processing", False),
        ("available", "declined", False),
        ("approved", "approved", False),
        ("pending", "declined", True),
        ("processing", "failed", True),
        ("declined", "approved", False),
        ("failed", "approved", True),  # retried
    ],
)
def test_a_request_moves_only_forward(old, new, allowed):
    assert states.may_move(old, new) is allowed


def test_every_status_has_words():
    for status in (*states.PROGRESS, states.DECLINED, states.FAILED):
        assert states.label(status)[0].isupper()
