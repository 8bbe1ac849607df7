"""The sweep at 100,000 / 1,000,000 / 5,000,000 tasks (1 % owing a reminder or an escalation)
with its reference, the digests for 200 directives x 60 bodies, and the same sweep as one
Prefect task versus one Prefect task per domain task (1,000 tasks): printed figures. The report
of a 1,000-task directive is benchmarks/report.py.

    python benchmarks/sweep.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--sizes 100000,1000000,5000000] [--owed 0.01] [--directives 200] [--bodies 60]
        [--naive-tasks 1000] [--profile]

Each size is filled by bulk insert; then, each in a fresh process, the reference (the indexed
SELECT of the candidate rows, the very statement the sweep starts with), the first sweep
(records every follow-up owed) and a second one (nothing new): time and peak memory. Goal at
1,000,000 tasks on PostgreSQL: under 1 s.

Without --database-url each figure runs on a fresh SQLite file (WAL) in a temporary directory;
with a PostgreSQL URL, in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.common import (  # noqa: E402
    REGISTRY,
    Database,
    backend_name,
    database_option,
    in_child,
    insert_in_batches,
)
from models.calendar import load_calendar  # noqa: E402
from models.db import unit_of_work  # noqa: E402
from models.policy import load_policy  # noqa: E402
from models.tables import Assignment, Cascade, Directive, FollowUp, Outbox, Task  # noqa: E402
from services.digest import queue_digests  # noqa: E402
from services.sweep import sweep  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2024, 6, 14, 8, tzinfo=VN)  # a Friday
TODAY = AT.date()
CALENDAR = load_calendar(ROOT / "config" / "calendar.yaml")
POLICY = load_policy(ROOT / "config" / "escalation.yaml")
OFFICE = "tld_van_phong_dang_doan"


# due dates that owe something at AT: reminders 7, 3, 1 working days before; levels 1, 2, 3
OWED_DUES = [CALENDAR.add_working_days(TODAY, n) for n in (7, 3, 1, 0, -1, -5, -15, -30)]


def fill(engine, *, cascades: int, per: int, owed_share: float, rule: str = "2024-11-30",
         due_for=None) -> int:
    """`cascades` x `per` tasks by bulk insert; `due_for(i, j)` -> (status, due_on)."""
    bodies = list(REGISTRY.bodies)
    now = dt.datetime.now(dt.UTC)
    every = round(1 / owed_share) if owed_share else 0

    def default_due(i: int, j: int) -> tuple[str, dt.date]:
        n = i * per + j
        if every and n % every == 0:
            return "assigned", OWED_DUES[(n // every) % len(OWED_DUES)]
        if n % 3 == 0:
            return "done", dt.date(2024, 3, 31)  # finished: never a candidate
        return "in_progress", dt.date(2024, 11, 30)  # far from any reminder

    due_for = due_for or default_due
    with engine.begin() as conn:
        conn.execute(sa.insert(Directive.__table__), [
            {"id": i + 1, "number": f"{i + 1}-KH/BENCH", "kind": "Kế hoạch", "issuer_id": "tld",
             "issued_on": dt.date(2024, 1, 1), "title": f"Kế hoạch đo số {i + 1}",
             "implements": [], "created_at": now} for i in range(cascades)])
        conn.execute(sa.insert(Cascade.__table__), [
            {"id": i + 1, "directive_id": i + 1, "coordinator_id": OFFICE, "template_sha256": "x",
             "launched_at": now} for i in range(cascades)])
        conn.execute(sa.insert(Assignment.__table__), [
            {"id": i + 1, "cascade_id": i + 1, "position": 0, "ref": "1", "task_text": "x",
             "deadline_rule": rule, "lead_refs": [], "cooperating_refs": []}
            for i in range(cascades)])
        def task_rows():
            for i in range(cascades):
                for j in range(per):
                    status, due = due_for(i, j)
                    yield {"cascade_id": i + 1, "assignment_id": i + 1,
                           "body_id": bodies[j % len(bodies)], "role": "lead",
                           "occurrence": j // len(bodies) + 1, "status": status, "due_on": due,
                           "created_at": now, "updated_at": now, "version": 1}

        insert_in_batches(conn, Task.__table__, task_rows())
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    return cascades * per


def timed_sweep(engine, *, profile: bool = False):
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    with unit_of_work(engine) as session:
        report = sweep(session=session, at=AT, tz=VN, calendar=CALENDAR, policy=POLICY)
    if profiler:
        profiler.disable()
    return time.perf_counter() - start, report, profiler


def child_select(url: str) -> dict:
    """In a child process, the reference: the sweep's SELECT of its candidates, alone."""
    from models.db import make_engine
    from services.sweep import candidates

    engine = make_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")  # connected before the clock starts
    start = time.perf_counter()
    with unit_of_work(engine, write=False) as session:
        rows = session.execute(candidates(session=session, today=TODAY, calendar=CALENDAR,
                                          policy=POLICY)).all()
    return {"seconds": time.perf_counter() - start, "rows": len(rows)}


def child_sweep(url: str) -> dict:
    from models.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    seconds, report, _ = timed_sweep(engine)
    return {"seconds": seconds, "created": len(report.created), "candidates": report.candidates}


def bench_sweep(url, sizes: list[int], owed: float, profile: bool) -> None:
    print(f"sweep at {AT:%d/%m/%Y} ({owed:.0%} of the tasks owe something); each run in a fresh "
          "process; memory: peak resident above the process's imports")
    print(f"  {'tasks':>10}  {'reference':>9}  {'sweep 1':>8}  {'follow-ups':>10}  "
          f"{'memory':>7}  {'sweep 2':>8}  {'ratio':>6}")
    for size in sizes:
        with Database(url) as db:
            fill(db.engine, cascades=size // 100, per=100, owed_share=owed)
            ref = in_child("benchmarks.sweep:child_select", url=db.url)
            first = in_child("benchmarks.sweep:child_sweep", url=db.url)
            second = in_child("benchmarks.sweep:child_sweep", url=db.url)
            if profile and size == sizes[-1]:
                with db.engine.begin() as conn:
                    conn.execute(sa.delete(FollowUp))
                    conn.execute(sa.delete(Outbox))
                _, _, profiler = timed_sweep(db.engine, profile=True)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
        goal = ""
        if url and size == 1_000_000:
            goal = "  meets < 1 s" if first["seconds"] < 1 else "  ABOVE 1 s"
        print(f"  {size:>10,}  {ref['seconds'] * 1000:>7.0f}ms  {first['seconds']:>7.2f}s  "
              f"{first['created']:>10,}  {first['peak_mb'] - first['base_mb']:>5.0f}MB  "
              f"{second['seconds']:>7.2f}s  {first['seconds'] / ref['seconds']:>5.1f}x{goal}")


def bench_digest(url, directives: int, bodies: int) -> None:
    def due_for(i: int, j: int) -> tuple[str, dt.date]:
        k = (i + j) % 4
        return ("in_progress", [CALENDAR.add_working_days(TODAY, -(1 + j % 20)),
                                CALENDAR.add_working_days(TODAY, 2), dt.date(2024, 11, 30),
                                dt.date(2024, 3, 31)][k]) if k < 3 else ("done", dt.date(2024, 3, 31))

    with Database(url) as db:
        total = fill(db.engine, cascades=directives, per=bodies, owed_share=0, due_for=due_for)
        timed_sweep(db.engine)  # the ledger the digest reads (escalation levels)
        times = []
        for n in range(3):
            start = time.perf_counter()
            with unit_of_work(db.engine) as session:
                run = queue_digests(session=session, at=AT + dt.timedelta(days=n), tz=VN,
                                    calendar=CALENDAR, near_due_working_days=3, policy=POLICY)
            times.append(time.perf_counter() - start)
        office = next(d for d in run.digests if d.supervisor_id == OFFICE)
        size = len(json.dumps(office.as_json(), ensure_ascii=False).encode())
        from models.mail import DigestMailData
        from notifications.render import render_digest

        start = time.perf_counter()
        msg = render_digest(DigestMailData(message_id="<bench@congdoan.vn>",
                                           sender="Văn phòng <giaoviec@congdoan.vn>",
                                           to=("vp@example.org",), recipient=office.supervisor_name,
                                           at=AT, digest=office.as_json()))
        render = time.perf_counter() - start
        print(f"digest for {directives} directives x {bodies} bodies ({total:,} tasks, "
              f"{office.overdue:,} overdue): build + queue {len(run.digests)} digests: "
              f"best {min(times)*1000:.0f} ms, median {sorted(times)[1]*1000:.0f} ms; "
              f"payload {size/1e6:.1f} MB; rendering the office's mail {render*1000:.0f} ms "
              f"({len(msg.as_bytes())/1e6:.1f} MB)")


def bench_naive(url, tasks: int) -> None:
    """The same sweep two ways on `tasks` tasks that all owe something, under a Prefect server:
    the way flows/ does it (one coarse Prefect task calling the service), and the naive way
    (one Prefect task per domain task, each loading, deciding and recording its task)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_ENABLED", "true")
    from prefect import flow, task
    from prefect.testing.utilities import prefect_test_harness

    from models.policy import follow_up_due
    from services.sweep import outbox_key

    with Database(url) as db:
        fill(db.engine, cascades=max(tasks // 100, 1), per=min(tasks, 100), owed_share=1.0)
        engine = db.engine

        @task
        def sweep_all() -> int:
            with unit_of_work(engine) as session:
                return len(sweep(session=session, at=AT, tz=VN, calendar=CALENDAR,
                                 policy=POLICY).created)

        @task
        def sweep_one(task_id: int) -> int:
            with unit_of_work(engine) as session:
                row = session.get(Task, task_id)
                cascade = session.get(Cascade, row.cascade_id)
                owed = follow_up_due(status=row.status, due_on=row.due_on, today=TODAY,
                                     calendar=CALENDAR, policy=POLICY.merged(cascade.policy))
                if owed is None:
                    return 0
                key = owed.key(task_id)
                if session.exec(sa.select(FollowUp.id).where(FollowUp.key == key)).first():
                    return 0
                to = row.body_id if owed.to == "body" else (
                    cascade.coordinator_id if owed.to == "follow_up_office" else owed.to)
                mail = Outbox(key=outbox_key(key), kind=owed.kind, task_id=task_id, body_id=to,
                              next_attempt_at=AT, created_at=AT)
                session.add(mail)
                session.flush()
                session.add(FollowUp(key=key, task_id=task_id, kind=owed.kind, level=owed.level,
                                     occurrence=owed.occurrence, due_on=owed.due_on,
                                     working_days=owed.working_days, recipient_id=to,
                                     outbox_id=mail.id, at=AT))
                return 1

        @flow
        def coarse() -> int:
            return sweep_all()

        @flow
        def naive(ids: list[int]) -> int:
            return sum(sweep_one(i) for i in ids)

        with engine.connect() as conn:
            ids = list(conn.execute(sa.select(Task.id).order_by(Task.id)).scalars())
        plain_s = timed_sweep(engine)[0]
        with engine.begin() as conn:
            conn.execute(sa.delete(FollowUp))
            conn.execute(sa.delete(Outbox))
        with prefect_test_harness():
            coarse()  # warm-up: the first flow run pays for the client and the server's caches
            with engine.begin() as conn:
                conn.execute(sa.delete(FollowUp))
                conn.execute(sa.delete(Outbox))
            start = time.perf_counter()
            recorded_coarse = coarse()
            coarse_s = time.perf_counter() - start
            with engine.begin() as conn:
                conn.execute(sa.delete(FollowUp))
                conn.execute(sa.delete(Outbox))
            start = time.perf_counter()
            recorded_naive = naive(ids)
            naive_s = time.perf_counter() - start
    print(f"{len(ids):,} tasks all owing something: the service alone {plain_s * 1000:.0f} ms; "
          f"coarse flow (1 Prefect task) {coarse_s:.2f} s for {recorded_coarse} follow-ups; "
          f"naive flow (1 Prefect task per domain task) {naive_s:.2f} s for {recorded_naive} "
          f"({naive_s / len(ids) * 1000:.1f} ms a task); naive / coarse {naive_s / coarse_s:.1f}x, "
          f"naive / service {naive_s / plain_s:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    database_option(parser)
    parser.add_argument("--sizes", default="100000,1000000,5000000",
                        help="tasks, comma-separated")
    parser.add_argument("--owed", type=float, default=0.01)
    parser.add_argument("--directives", type=int, default=200)
    parser.add_argument("--bodies", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="cProfile a sweep of the last size")
    parser.add_argument("--naive-tasks", type=int, default=1_000,
                        help="tasks for the coarse-vs-naive Prefect comparison (0: skip)")
    args = parser.parse_args()
    print(f"database: {backend_name(args.url)}")
    bench_sweep(args.url, [int(n) for n in args.sizes.split(",")], args.owed, args.profile)
    bench_digest(args.url, args.directives, args.bodies)
    if args.naive_tasks:
        bench_naive(args.url, args.naive_tasks)


if __name__ == "__main__":
    main()
