"""The child process that drafts one uploaded document in the background:
`python -m cascade.draft_job`, its services.draft_jobs.Spec as JSON on its standard input.

Started by a web worker (services.draft_jobs.start), never run by hand. Before anything else it
binds itself to its parent (PR_SET_PDEATHSIG: killed when the thread that started it ends; it
exits if that parent is already gone), lowers its priority and sets its bounds: RLIMIT_CPU
(SIGXCPU at the limit, SIGKILL a little later) and RLIMIT_AS, which its Tesseracts inherit.
Between pages it also checks the CPU its finished Tesseracts used and its wall-clock deadline.
A bound reached leaves the job failed with a Vietnamese reason.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

PR_SET_PDEATHSIG = 1
CPU_GRACE_SECONDS = 10  # between SIGXCPU (a reason recorded) and SIGKILL


def _bind_to_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the wall deadline stays
        pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + CPU_GRACE_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _cpu_used() -> float:
    """CPU seconds of this process and of its finished children (the Tesseracts)."""
    own, done = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + done.ru_utime + done.ru_stime


def _checker(cpu_seconds: float, wall_seconds: float, started: float) -> Callable[[], None]:
    from services.draft_jobs import JobBound, cpu_exceeded, wall_exceeded

    def check() -> None:
        if _cpu_used() > cpu_seconds:
            raise JobBound(cpu_exceeded(cpu_seconds))
        if time.monotonic() - started > wall_seconds:
            raise JobBound(wall_exceeded(wall_seconds))

    return check


def _on_xcpu(cpu_seconds: float) -> Callable[[int, Any], NoReturn]:
    def handler(signum: int, frame: Any) -> NoReturn:
        from services.draft_jobs import JobBound, cpu_exceeded

        raise JobBound(cpu_exceeded(cpu_seconds))

    return handler


def main() -> int:
    started = time.monotonic()
    try:
        raw = json.loads(sys.stdin.read())
    except ValueError:  # its parent died before handing over the job: nothing to do
        return 1
    _bind_to_parent(int(raw["parent"]))
    bounds = raw["bounds"]
    os.nice(int(bounds["nice"]))

    from pathlib import Path

    from models.db import make_engine
    from models.registry import load_registry
    from services import draft_jobs

    spec = draft_jobs.Spec(**{**raw, "registry_paths": tuple(raw["registry_paths"]),
                              "bounds": draft_jobs.Bounds(**bounds)})
    since = dt.datetime.fromisoformat(spec.at)

    def clock() -> dt.datetime:
        return since + dt.timedelta(seconds=time.monotonic() - started)

    engine = make_engine(spec.database_url, busy_seconds=spec.busy_seconds)
    try:
        try:  # the imports above are counted too: SIGXCPU may come at once
            signal.signal(signal.SIGXCPU, _on_xcpu(spec.bounds.cpu_seconds))
            _limit(spec.bounds.cpu_seconds, spec.bounds.memory_bytes)
            registry = load_registry(*(Path(p) for p in spec.registry_paths))
            draft_jobs.run_job(
                engine=engine, job_id=spec.job_id, claim=spec.claim, registry=registry,
                aliases=dict, max_bytes=spec.max_bytes,
                cache_dir=Path(spec.cache_dir) if spec.cache_dir else None, clock=clock,
                workers=spec.workers, max_pages=spec.bounds.max_pages,
                check=_checker(spec.bounds.cpu_seconds, spec.bounds.wall_seconds, started))
        except draft_jobs.JobBound as exc:  # SIGXCPU outside a page
            draft_jobs.fail(engine, spec.job_id, spec.claim, clock(), str(exc))
            return 3
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
