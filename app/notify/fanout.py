"""The fan-out job: one outbox event becomes one Delivery per destination, once."""


def fan_out(event_id: int) -> int:
    """Add the event's deliveries (admin channels for admin events; each person's email and
    targets as they chose; due now, after their quiet hours, or at their digest hour) and enqueue
    the destinations that are due. Safe to run twice: the unique (event, target) adds nothing.
    Returns how many deliveries it added."""
    raise NotImplementedError
