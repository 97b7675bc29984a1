"""Every event type shows under one kind on the notifications page; odd filters mean none."""

from werkzeug.datastructures import MultiDict

from app.notifications.kinds import KINDS, Filters, kind_of, types_of
from app.notify.events import EVENT_TYPES


def test_every_event_type_has_a_kind():
    assert {key: kind_of(key) in KINDS for key in EVENT_TYPES} == dict.fromkeys(EVENT_TYPES, True)
    assert sorted(k for kind in KINDS for k in types_of(kind)) == sorted(EVENT_TYPES)


def test_odd_filter_values_mean_no_filter():
    odd = Filters.from_args(MultiDict({"kind": "x" * 999, "unread": "yes please", "page": "-3"}))
    assert odd == Filters() and not odd.filtered and odd.args() == {}
    kept = Filters.from_args(MultiDict({"kind": "system", "unread": "1", "page": "3"}))
    assert kept.args() == {"unread": "1", "kind": "system", "page": 3}
    assert kept.args(page=None) == {"unread": "1", "kind": "system"}
