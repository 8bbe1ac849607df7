"""A child of `cascade serve` (a web worker, the scheduler) does not outlive it.

`kill -9` of the serve process leaves its children running: web workers that keep the port
(a restart cannot bind) while nothing schedules. Each child therefore ties itself to its parent:

- on Linux, the parent-death signal (prctl PR_SET_PDEATHSIG): the kernel sends SIGTERM the
  moment the parent is gone, and the child's own SIGTERM handling shuts it down gracefully;
  the parent is checked right after, in case it died before the signal was armed;
- everywhere, a watcher thread that polls the parent id: off Linux it sends the SIGTERM itself,
  and on every platform it ends the process hard (os._exit) if the graceful shutdown has not
  finished `grace` seconds after the parent was seen gone (a request stuck in a file or a
  database wait must not keep the port).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger("cascade.lifeline")

PARENT_ENV = "CASCADE_SERVE_PID"  # set by `cascade serve` for its web workers
PR_SET_PDEATHSIG = 1
ORPHAN_EXIT = 70  # the hard exit's status: "the parent died, the shutdown took too long"


def _death_signal(sig: int) -> bool:
    """Ask the kernel for `sig` when the parent dies; False where that does not exist."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def tie_to_parent(parent: int, *, grace: float = 3.0, poll: float = 0.25) -> bool:
    """End this process when `parent` is no longer its parent: SIGTERM to itself at once
    (graceful shutdown), then a hard exit after `grace` seconds. Call it in the child after its
    SIGTERM handler is installed. True when the parent-death signal is armed (Linux)."""
    armed = _death_signal(signal.SIGTERM)
    orphaned = threading.Event()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        orphaned.set()
        log.warning("the serve process %s is gone: stopping (pid %s)", parent, os.getpid())
        if not armed:
            os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(ORPHAN_EXIT)

    threading.Thread(target=watch, name="cascade-lifeline", daemon=True).start()
    if armed and os.getppid() != parent:  # it died before the signal was armed
        os.kill(os.getpid(), signal.SIGTERM)
    return armed


def tie_worker_to_serve() -> bool:
    """In a web worker: tie to the `cascade serve` that started it (PARENT_ENV); a process
    started otherwise (uvicorn run by hand) is left alone. True when tied."""
    raw = os.environ.get(PARENT_ENV, "")
    if not raw.isdigit() or int(raw) == os.getpid():
        return False
    tie_to_parent(int(raw))
    return True
