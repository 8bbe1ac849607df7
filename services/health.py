"""What /healthz says beyond "the database answers": the scheduler's lease and the outbox.

A `cascade serve` whose scheduler is gone still answers pages; what shows it is that nobody
renews the scheduler's lease (services.lease) and that mails which are due wait. Each part is
"ok", "starting" (the web process started a moment ago: its scheduler may not have taken the
lease or sent the backlog yet) or "stale"; any stale part makes the whole answer an error.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.db import current_revision, unit_of_work
from models.tables import Outbox, table_of
from services import lease

log = logging.getLogger("cascade.health")
OK, STARTING, STALE = "ok", "starting", "stale"


@dataclass(frozen=True)
class HealthLimits:
    scheduler: str  # embedded | prefect | off (config.settings)
    lease: dt.timedelta  # the scheduler's lease length; renewed every third of it
    outbox: dt.timedelta  # how long a due mail may wait
    grace: dt.timedelta  # after the web process started, "starting" rather than "stale"

    @classmethod
    def of(cls, settings: Any) -> HealthLimits:
        lease_length = dt.timedelta(seconds=settings.scheduler_lease_seconds)
        return cls(scheduler=settings.scheduler, lease=lease_length,
                   outbox=dt.timedelta(seconds=settings.health_outbox_seconds),
                   grace=lease_length + 2 * dt.timedelta(seconds=settings.dispatch_every_seconds))


def _seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


def _verdict(fresh: bool, at: dt.datetime, started_at: dt.datetime, limits: HealthLimits) -> str:
    if fresh:
        return OK
    return STARTING if at < started_at + limits.grace else STALE


def scheduler_part(engine: Engine, *, at: dt.datetime, started_at: dt.datetime,
                   limits: HealthLimits) -> dict[str, Any]:
    """The embedded scheduler's lease: who holds it (its process, not the host's name), when it
    was renewed; stale once half a lease has passed since it expired (a waiting process takes
    over within a third of one). Not checked when the scheduler runs elsewhere."""
    if limits.scheduler != "embedded":
        return {"mode": limits.scheduler, "status": "not checked"}
    held = lease.read(engine, lease.SCHEDULER)
    part: dict[str, Any] = {"mode": "embedded", "limit_seconds": _seconds(1.5 * limits.lease)}
    fresh = False
    if held is not None:
        holder, expires_at = held
        renewed_at = expires_at - limits.lease
        part.update(holder=holder.split(":", 1)[-1], renewed_at=renewed_at.isoformat(),
                    renewed_seconds_ago=_seconds(at - renewed_at))
        fresh = at <= expires_at + limits.lease / 2
    else:
        part.update(holder=None, renewed_at=None, renewed_seconds_ago=None)
    part["status"] = _verdict(fresh, at, started_at, limits)
    return part


def outbox_part(engine: Engine, *, at: dt.datetime, started_at: dt.datetime,
                limits: HealthLimits) -> dict[str, Any]:
    """The mails whose time has come (pending, next attempt reached) and how long the oldest
    has waited; stale past the limit. A mail waiting for a retry or an address is not late."""
    t = table_of(Outbox)
    with unit_of_work(engine, write=False) as session:
        due, oldest = session.connection().execute(
            sa.select(sa.func.count(), sa.func.min(t.c.next_attempt_at))
            .where(t.c.status == "pending", t.c.next_attempt_at <= at)).one()
    waited = at - oldest if oldest is not None else dt.timedelta(0)
    return {"due": int(due), "oldest_pending_seconds": _seconds(waited) if due else None,
            "limit_seconds": _seconds(limits.outbox),
            "status": _verdict(waited <= limits.outbox, at, started_at, limits)}


def health(engine: Engine, *, head: str | None, at: dt.datetime, started_at: dt.datetime,
           limits: HealthLimits) -> tuple[int, dict[str, Any]]:
    """/healthz's status code and JSON at `at`, for a web process started at `started_at`: the
    database answers at the schema revision `head`, then the scheduler and outbox parts."""
    try:
        revision = current_revision(engine)
        if revision != head:
            return 503, {"status": "error", "database": "ok", "schema": revision, "expected": head}
        parts = {"scheduler": scheduler_part(engine, at=at, started_at=started_at, limits=limits),
                 "outbox": outbox_part(engine, at=at, started_at=started_at, limits=limits)}
    except Exception as exc:  # any driver error means: not healthy (details stay in the log)
        log.warning("health check failed: %s", type(exc).__name__)
        return 503, {"status": "error", "database": type(exc).__name__}
    stale = [name for name, part in parts.items() if part["status"] == STALE]
    return (503 if stale else 200), {"status": "error" if stale else "ok", "database": "ok",
                                     "schema": revision, **parts, "stale": stale}
