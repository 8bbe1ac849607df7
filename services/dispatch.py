"""The outbox dispatcher: claim due rows, render and send them over one connection, record.

Each batch runs in three steps, and no database transaction stays open while SMTP talks:

1. claim (one short transaction): a guarded UPDATE moves due rows to 'sending' (pending and
   due, or 'sending' with a lease older than `lease`: a dispatcher that died mid-batch), gives
   each its stable Message-ID, issues its link tokens and renders it;
2. send each message over the mailer's one connection;
3. record each outcome (one transaction): sent; back to pending with exponential back-off;
   or failed with the reason.

A crash before step 3 leaves rows in 'sending'; the lease hands them to the next run, which
sends them again with the same Message-ID. So every message goes out at least once, and a
duplicate is recognisable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from config.settings import Settings
from models.contacts import Contacts
from models.db import unit_of_work
from models.links import LinkSigner, new_seed
from models.mail import BadAddress, Mailer, MailRenderer, PermanentFailure, TemporaryFailure, mail_domain
from models.registry import Registry
from models.tables import BodyContact, Outbox, table_of
from services.mail_views import NO_ADDRESS, Prepared, prepare_batch, stable_message_id

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again. `next_attempt` is a decision the caller acts on (None: give up)."""

    base: dt.timedelta = dt.timedelta(minutes=1)
    cap: dt.timedelta = dt.timedelta(hours=6)
    max_attempts: int = 10
    no_address_delay: dt.timedelta = dt.timedelta(days=1)
    lease: dt.timedelta = dt.timedelta(minutes=10)

    def next_attempt(self, attempts: int, *, at: dt.datetime) -> dt.datetime | None:
        """After `attempts` failed attempts: the next one, doubling from `base` up to `cap`."""
        if attempts >= self.max_attempts:
            return None
        return at + min(self.base * 2 ** max(attempts - 1, 0), self.cap)


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0  # no address yet
    batches: int = 0
    stopped: str | None = None  # why draining stopped early (server unreachable)
    failures: list[tuple[int, str]] = field(default_factory=list)
    destination: str = ""

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed

    def as_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed,
                "waiting": self.waiting, "batches": self.batches, "stopped": self.stopped,
                "destination": self.destination,
                "failures": [{"id": i, "reason": r} for i, r in self.failures]}


@dataclass
class _Outcome:
    prepared: Prepared
    status: str  # sent, retry, failed, wait, release
    reason: str | None = None


def _due(t: sa.Table, at: dt.datetime, lease: dt.timedelta) -> sa.ColumnElement[bool]:
    return sa.or_(sa.and_(t.c.status == PENDING, t.c.next_attempt_at <= at),
                  sa.and_(t.c.status == SENDING, t.c.claimed_at < at - lease))


def count_due(*, engine: Engine, at: dt.datetime, lease: dt.timedelta) -> int:
    t = table_of(Outbox)
    with engine.connect() as conn:
        return conn.execute(select(sa.func.count()).select_from(t)
                            .where(_due(t, at, lease))).scalar_one()


class DispatchError(ValueError):
    """Mail cannot be sent as configured; the message says what to fix."""


def prepare_dispatch(*, engine: Engine, registry: Registry, contacts: Contacts, settings: Settings,
                     at: dt.datetime) -> None:
    """Before a dispatch: check the sender, re-read the registry and the contacts file, and
    wake the mails that waited for an address the file now has."""
    from services.registry import sync_contacts, sync_registry

    try:
        mail_domain(settings.mail_from)
    except BadAddress as exc:
        raise DispatchError(f"{exc}; ví dụ CASCADE_MAIL_FROM='Văn phòng <giaoviec@congdoan.vn>'") \
            from None
    with unit_of_work(engine) as session:
        sync_registry(session=session, registry=registry)
        sync_contacts(session=session, contacts=contacts)
        release_waiting(session=session, at=at)


def claim_batch(*, session: Session, settings: Settings, signer: LinkSigner, renderer: MailRenderer,
                at: dt.datetime, limit: int, policy: RetryPolicy) -> list[Prepared]:
    """Step 1 in the caller's one transaction: claim up to `limit` due rows and render them."""
    rows = claim_rows(session=session, settings=settings, at=at, limit=limit, policy=policy)
    return prepare_batch(session=session, rows=rows, settings=settings, signer=signer,
                         renderer=renderer, at=at)


def claim_in_steps(*, engine: Engine, settings: Settings, signer: LinkSigner,
                   renderer: MailRenderer, at: dt.datetime, limit: int,
                   policy: RetryPolicy) -> list[Prepared]:
    """Step 1 without holding the write lock while rendering: claim (a short write), render
    (reads only), store the link tokens (a short write, before any mail leaves). A crash in
    between leaves the rows claimed until their lease ends; the next claim renders them again
    to the same links (derived from each row's seed), stored once."""
    with unit_of_work(engine) as session:
        rows = claim_rows(session=session, settings=settings, at=at, limit=limit, policy=policy)
    if not rows:
        return []
    with unit_of_work(engine, write=False) as reader, unit_of_work(engine) as writer:
        return prepare_batch(session=reader, rows=rows, settings=settings, signer=signer,
                             renderer=renderer, at=at, store_links=writer)


def claim_rows(*, session: Session, settings: Settings, at: dt.datetime, limit: int,
               policy: RetryPolicy) -> list[Outbox]:
    """Claim up to `limit` due rows ('sending', with a lease from `at`), each with its stable
    Message-ID and link seed made once."""
    t = table_of(Outbox)
    query = select(t.c.id).where(_due(t, at, policy.lease)).order_by(t.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.execute(query).scalars())
    if not ids:
        return []
    claimed = list(session.execute(
        sa.update(t).where(t.c.id.in_(ids), _due(t, at, policy.lease))
        .values(status=SENDING, claimed_at=at).returning(t.c.id)).scalars())
    rows = list(session.exec(select(Outbox).where(col(Outbox.id).in_(claimed))
                             .order_by(col(Outbox.id))).all())
    fresh = []
    for row in rows:  # loaded after the UPDATE, so they show 'sending'
        if row.message_id is None or row.link_seed is None:
            # made once: every later copy of this mail has the same Message-ID and links
            row.message_id = row.message_id or stable_message_id(row, settings)
            row.link_seed = row.link_seed or new_seed()
            fresh.append({"oid": row.id, "mid": row.message_id, "seed": row.link_seed})
    if fresh:
        session.connection().execute(
            sa.update(t).where(t.c.id == sa.bindparam("oid"))
            .values(message_id=sa.bindparam("mid"), link_seed=sa.bindparam("seed")), fresh)
    return rows


async def _send_all(prepared: list[Prepared], mailer: Mailer,
                    on_progress: Callable[[_Outcome], None] | None,
                    keep_claim: Callable[[], None] = lambda: None,
                    ) -> tuple[list[_Outcome], str | None]:
    """Step 2: send the rendered messages, as many at once as the mailer has connections,
    renewing the claim as they go (`keep_claim`). Once the server is unreachable the rest are
    not tried; the second value then says why."""
    outcomes: list[_Outcome | None] = [None] * len(prepared)
    unreachable: str | None = None
    slots = asyncio.Semaphore(max(mailer.parallel, 1))

    async def send(i: int, item: Prepared) -> None:
        nonlocal unreachable
        async with slots:
            keep_claim()
            if item.message is None:
                outcome = _Outcome(item, "wait" if item.waiting else FAILED, item.problem)
            elif unreachable is not None:
                outcome = _Outcome(item, "release", unreachable)
            else:
                try:
                    refused = await mailer.send(item.message, item.wire)
                except TemporaryFailure as exc:
                    outcome = _Outcome(item, "retry", exc.reason)
                    if exc.connection:
                        unreachable = exc.reason
                except PermanentFailure as exc:
                    outcome = _Outcome(item, FAILED, exc.reason)
                else:
                    reason = f"máy chủ từ chối một số địa chỉ: {', '.join(refused)}" if refused else None
                    outcome = _Outcome(item, SENT, reason)
            outcomes[i] = outcome
            if on_progress is not None:
                on_progress(outcome)

    await asyncio.gather(*(send(i, item) for i, item in enumerate(prepared)))
    return [o for o in outcomes if o is not None], unreachable


def record_outcomes(*, session: Session, outcomes: list[_Outcome], claimed_at: dt.datetime,
                    at: dt.datetime, policy: RetryPolicy, report: DispatchReport) -> None:
    """Step 3: write each outcome, guarded by the claim (a row re-leased elsewhere is left)."""
    t = table_of(Outbox)
    updates: list[dict[str, Any]] = []
    for o in outcomes:
        p = o.prepared
        values: dict[str, Any] = {"oid": p.outbox_id, "claimed_at": None, "sent_at": None,
                                  "attempts": p.attempts + 1, "last_error": o.reason}
        if o.status == SENT:
            values.update(status=SENT, sent_at=at, next_attempt_at=None)
            report.sent += 1
        elif o.status == "retry":
            when = policy.next_attempt(p.attempts + 1, at=at)
            if when is None:
                values.update(status=FAILED, next_attempt_at=None,
                              last_error=f"bỏ sau {p.attempts + 1} lần thử: {o.reason}")
                report.failed += 1
                report.failures.append((p.outbox_id, values["last_error"]))
            else:
                values.update(status=PENDING, next_attempt_at=when)
                report.retried += 1
        elif o.status == FAILED:
            values.update(status=FAILED, next_attempt_at=None)
            report.failed += 1
            report.failures.append((p.outbox_id, o.reason or ""))
        elif o.status == "wait":  # no address: not an attempt, no give-up
            values.update(status=PENDING, attempts=p.attempts, next_attempt_at=at + policy.no_address_delay)
            report.waiting += 1
        else:  # release: never tried (the server was unreachable: wait a little)
            later = policy.next_attempt(1, at=at) if o.reason else None
            values.update(status=PENDING, attempts=p.attempts, last_error=o.reason,
                          next_attempt_at=later or at)
        updates.append(values)
    if not updates:
        return
    # One executemany per shape: next_attempt_at None means "leave the column as it is".
    columns = ("status", "attempts", "last_error", "claimed_at", "sent_at")
    guard = (t.c.id == sa.bindparam("b_id"), t.c.status == SENDING,
             t.c.claimed_at == sa.bindparam("b_claim", type_=t.c.claimed_at.type))
    conn = session.connection()
    for move in (False, True):
        group = [u for u in updates if (u["next_attempt_at"] is not None) == move]
        if not group:
            continue
        names = (*columns, "next_attempt_at") if move else columns
        params = [{"b_id": u["oid"], "b_claim": claimed_at, **{f"b_{n}": u[n] for n in names}}
                  for u in group]
        conn.execute(sa.update(t).where(*guard).values(
            {n: sa.bindparam(f"b_{n}", type_=t.c[n].type) for n in names}), params)


class _Claim:
    """A claimed batch's lease, renewed while its mails are sent: a row whose lease is older
    than `policy.lease` was left by a dead dispatcher and is taken back by the next one."""

    def __init__(self, engine: Engine, clock: Clock, ids: list[int], at: dt.datetime,
                 lease: dt.timedelta) -> None:
        self.engine, self.clock, self.ids, self.at = engine, clock, ids, at
        self.every = lease / 4

    def keep(self) -> None:
        now = self.clock()
        if now - self.at < self.every:
            return
        t = table_of(Outbox)
        with unit_of_work(self.engine) as session:
            session.connection().execute(
                sa.update(t).where(t.c.id.in_(self.ids), t.c.status == SENDING,
                                   t.c.claimed_at == self.at).values(claimed_at=now))
        self.at = now


async def drain_outbox(*, engine: Engine, mailer: Mailer, renderer: MailRenderer, signer: LinkSigner,
                       settings: Settings, clock: Clock, batch_size: int | None = None,
                       policy: RetryPolicy | None = None, max_batches: int | None = None,
                       on_progress: Callable[[_Outcome], None] | None = None) -> DispatchReport:
    """Send every due message, small batch after small batch, over one mailer connection.

    Stops when nothing is due, after `max_batches`, or when the server cannot be reached (the
    untried rows go back to pending). Batches (CASCADE_OUTBOX_BATCH) are small and their
    lease (CASCADE_OUTBOX_LEASE_SECONDS) is renewed while they are sent, so a crash resends at
    most one batch, and a slow batch is never taken by a second dispatcher. The clock is read
    once per step, never deeper.
    """
    report = DispatchReport(destination=mailer.description)
    policy = policy or RetryPolicy(lease=dt.timedelta(seconds=settings.outbox_lease_seconds))
    limit = batch_size or settings.outbox_batch

    def claim() -> tuple[dt.datetime, list[Prepared]]:
        at = clock()
        return at, claim_in_steps(engine=engine, settings=settings, signer=signer,
                                  renderer=renderer, at=at, limit=limit, policy=policy)

    def record(outcomes: list[_Outcome], claimed_at: dt.datetime) -> None:
        with unit_of_work(engine) as session:
            record_outcomes(session=session, outcomes=outcomes, claimed_at=claimed_at, at=clock(),
                            policy=policy, report=report)

    def more() -> bool:
        return max_batches is None or report.batches < max_batches

    # A pipeline: the next batch is claimed and rendered in a thread while this one is on the
    # wire. Only the batch being sent can be sent twice after a crash; the one being rendered
    # has not left and simply waits for its lease.
    async with mailer:
        upcoming: asyncio.Future[tuple[dt.datetime, list[Prepared]]] | None = \
            asyncio.ensure_future(asyncio.to_thread(claim))
        while upcoming is not None:
            claim_at, prepared = await upcoming
            upcoming = None
            if not prepared:
                break
            report.batches += 1
            if more():
                upcoming = asyncio.ensure_future(asyncio.to_thread(claim))
            lease = _Claim(engine, clock, [p.outbox_id for p in prepared], claim_at, policy.lease)
            try:
                outcomes, unreachable = await _send_all(prepared, mailer, on_progress, lease.keep)
            except BaseException:
                if upcoming is not None:  # a crash: what was rendered waits for its lease
                    upcoming.cancel()
                raise
            await asyncio.to_thread(record, outcomes, lease.at)
            if unreachable is not None:
                report.stopped = unreachable
                break
        if upcoming is not None:  # stopped early: the batch rendered ahead goes back, untried
            next_at, rendered = await upcoming
            if rendered:
                await asyncio.to_thread(record, [_Outcome(p, "release", report.stopped)
                                                 for p in rendered], next_at)
    return report


def dispatch_outbox(**kwargs: Any) -> DispatchReport:
    """`drain_outbox` for synchronous callers (CLI, flows, tests): same keyword arguments."""
    return asyncio.run(drain_outbox(**kwargs))


def release_waiting(*, session: Session, at: dt.datetime) -> int:
    """Rows waiting for an address whose body now has one become due at once."""
    t = table_of(Outbox)
    has_contact = sa.exists(select(BodyContact.body_id).where(BodyContact.body_id == t.c.body_id))
    result = session.connection().execute(
        sa.update(t).where(t.c.status == PENDING, t.c.last_error.contains(NO_ADDRESS),
                           t.c.next_attempt_at > at, has_contact)
        .values(next_attempt_at=at))
    return result.rowcount or 0
