"""One SQLite writer at a time, across the threads and processes of a deployment, handed over
as soon as it is free.

SQLite allows one writer; the others wait in its busy handler, which sleeps 1, 2, 5, ... up to
100 ms between tries, so under steady writes (web workers clicking, the scheduler dispatching)
a waiter often sleeps long after the lock was freed. Writers that hold this gate first wait on
a thread lock (woken at once) and, between processes, on an flock of a file beside the database
(tried every 0.5 to 2 ms). SQLite's own lock stays the guard: a writer that does not use the
gate (the sqlite3 shell, another tool) is still waited for by the busy handler.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: the thread lock alone, and SQLite's busy handler
    fcntl = None  # type: ignore[assignment]


class GateTimeout(TimeoutError):
    """Another writer held the gate longer than the busy timeout."""


class WriteGate:
    def __init__(self, database: Path, seconds: float, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.path = database.with_name(database.name + "-writer")
        self.seconds = seconds
        self._clock, self._sleep = clock, sleep
        self._local = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._holder: object | None = None

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self, holder: object) -> None:
        """Wait for the turn (GateTimeout past the busy timeout); `holder`: the connection
        whose transaction holds it until `release`."""
        deadline = self._clock() + self.seconds
        if not self._local.acquire(timeout=self.seconds):
            raise GateTimeout
        try:
            if fcntl is not None:
                self._lock_file(deadline)
        except BaseException:
            self._local.release()
            raise
        self._holder = holder

    def _lock_file(self, deadline: float) -> None:
        fd, pause = self._file(), 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if self._clock() > deadline:
                    raise GateTimeout from None
                self._sleep(pause)
                pause = min(pause * 2, 0.002)

    def release(self, holder: object) -> None:
        """End `holder`'s turn, if it has it (a commit or rollback of any other connection
        passes through here too, and does nothing)."""
        if self._holder is not holder:
            return
        self._holder = None
        if fcntl is not None:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._local.release()
