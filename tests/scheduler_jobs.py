"""A job for the scheduler tests: records each run (module-level, so the job store keeps it)."""

import datetime as dt
import os

from cascade.bootstrap import build_app
from services import lease


def tick() -> None:
    app = build_app()
    now = dt.datetime.now(dt.UTC)
    run = lease.start_run(app.engine, job="tick", holder=str(os.getpid()), at=now,
                          scheduled_for=None)
    lease.finish_run(app.engine, run_id=run, at=now, outcome="ok")
    app.engine.dispose()
