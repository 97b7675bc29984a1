"""The delivery job: everything due for one destination goes out as one message."""


def deliver(target_key: str) -> int:
    """Claim the destination's due deliveries, send one message (a list when there are several),
    and mark them sent, or retrying with backoff, or failed with the reason after
    NOTIFY_ATTEMPTS. A destination gets at most one message per NOTIFY_BATCH_SECONDS. The
    address is read at send time: a change while a delivery waits goes to the new address.
    Returns how many deliveries it sent."""
    raise NotImplementedError


def sweep() -> int:
    """Every minute: fan out events left unfanned, enqueue destinations with due deliveries, and
    take back claims a killed worker left behind."""
    raise NotImplementedError


def resend(delivery_id: int) -> bool:
    """An admin's resend of a failed (or sent) delivery: a new attempt now."""
    raise NotImplementedError
