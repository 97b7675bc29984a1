"""Whether the process behind a lock or a started job is still alive.

On the machine that runs it, a process that was killed is known to be gone at once; elsewhere
only its lease or heartbeat running out says so, and that is left to them.
"""

import os
import socket

HOST = socket.gethostname()


def holder_tag() -> str:
    """Who holds something, as `gone` reads it back: host and process id."""
    return f"{HOST}:{os.getpid()}"


def gone(hostname: str | None, pid: int | None) -> bool:
    """True only when the process ran on this machine and no longer exists."""
    if hostname != HOST or not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def tag_gone(tag: str) -> bool:
    hostname, _, rest = tag.partition(":")
    pid = rest.split(":", 1)[0]
    return pid.isdigit() and gone(hostname, int(pid))
