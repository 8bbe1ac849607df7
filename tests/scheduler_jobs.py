"""A job for the scheduler tests: records each run on the App the scheduler installed
(module-level, so the job store keeps it by reference)."""

import os
import threading

from cascade import jobs
from services import lease

RAN = threading.Event()


def tick() -> None:
    app = jobs.installed()
    now = app.clock()
    run = lease.start_run(app.engine, job="tick", holder=str(os.getpid()), at=now,
                          scheduled_for=None)
    lease.finish_run(app.engine, run_id=run, at=now, outcome="ok")
    RAN.set()
