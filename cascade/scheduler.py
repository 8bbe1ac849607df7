"""The embedded scheduler of `cascade serve`: APScheduler with its job store in the application
database, run by whichever process holds the database lease.

- one scheduler per database: a lease (services/lease.py), renewed every ttl/3; a process that
  loses it stops scheduling; a waiting process takes over when the holder dies;
- `coalesce=True` and an explicit misfire grace: after a restart, missed runs of a job collapse
  into one;
- jobs are module-level functions referenced by name (cascade.jobs), so the store can keep them;
- every job is idempotent in the database anyway (outbox keys, follow-up keys), so even a rare
  double run sends nothing twice.

CASCADE_SCHEDULER=prefect turns it off (Prefect deployments run the same jobs).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cascade import jobs
from cascade.bootstrap import App
from services import lease

log = logging.getLogger("cascade.scheduler")
LEASE_NAME = lease.SCHEDULER


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function", stored by reference
    trigger: object


def default_jobs(app: App) -> list[JobSpec]:
    """dispatch every minute, sweep every 15 minutes, digests at 07:30 on weekdays
    (the job itself skips holidays and checks the working-day calendar), orphan report files
    removed at 03:15."""
    s = app.settings
    tz = s.timezone
    return [
        JobSpec("dispatch", "cascade.jobs:dispatch_job",
                IntervalTrigger(seconds=s.dispatch_every_seconds, timezone=tz)),
        JobSpec("sweep", "cascade.jobs:sweep_job",
                IntervalTrigger(seconds=s.sweep_every_seconds, timezone=tz)),
        JobSpec("digest", "cascade.jobs:digest_job",
                CronTrigger.from_crontab(s.digest_cron, timezone=tz)),
        JobSpec("clean_files", "cascade.jobs:clean_files_job",
                CronTrigger(hour=3, minute=15, timezone=tz)),
    ]


class EmbeddedScheduler:
    def __init__(self, app: App, *, jobs: list[JobSpec] | None = None,
                 clock: Callable[[], dt.datetime] | None = None):
        self.app = app
        self.jobs = jobs if jobs is not None else default_jobs(app)
        self.clock = clock or app.clock
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = dt.timedelta(seconds=app.settings.scheduler_lease_seconds)
        self._scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def start(self) -> None:
        """Install the App for the jobs, then start the lease loop in a thread: it schedules
        while it holds the lease."""
        jobs.install(self.app)
        self._thread = threading.Thread(target=self._loop, name="cascade-scheduler-lease",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._stop_scheduler()
        lease.release(self.app.engine, name=LEASE_NAME, holder=self.holder)

    def _loop(self) -> None:
        period = max(self.ttl.total_seconds() / 3, 0.2)
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(period)

    def tick(self) -> bool:
        """One turn of the lease loop at the injected clock's time: take or renew the lease,
        start or stop scheduling accordingly. True while this process holds the lease."""
        try:
            held = lease.acquire(self.app.engine, name=LEASE_NAME, holder=self.holder,
                                 at=self.clock(), ttl=self.ttl)
        except Exception:  # the database is away: stop scheduling until it is back
            log.exception("lease renewal failed")
            held = False
        if held and not self.running:
            self._start_scheduler()
        elif not held and self.running:
            log.warning("lease lost: stopping the embedded scheduler")
            self._stop_scheduler()
        return held

    def _start_scheduler(self) -> None:
        settings = self.app.settings
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.app.engine)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": settings.misfire_grace_seconds},
            timezone=settings.timezone)
        scheduler.start(paused=True)
        for job in self.jobs:
            # replace_existing keeps the stored next run time only if the trigger is equal;
            # add only when missing so a restart keeps (and coalesces) what was due.
            if scheduler.get_job(job.id) is None:
                scheduler.add_job(job.func, job.trigger, id=job.id, name=job.id)
            else:
                scheduler.modify_job(job.id, func=job.func)
        scheduler.resume()
        self._scheduler = scheduler
        log.info("embedded scheduler started (%s)", self.holder)

    def _stop_scheduler(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
