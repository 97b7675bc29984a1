""" "New on Plex": what was added to the libraries a person can see, daily or weekly."""


def send_newsletters() -> int:
    """The scheduled job: for each person whose newsletter is due, one HTML email (with a
    plain-text part) of the titles added since their last one, with posters and links; nothing
    when nothing was added. Returns how many it queued."""
    raise NotImplementedError
