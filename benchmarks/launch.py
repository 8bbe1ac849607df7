"""Launch, its scaling, the read commands among 1,000,083 tasks, `cascade --help`: printed
figures, each with a reference measured in the same run.

    python benchmarks/launch.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--sizes 10000,100000,1000000] [--big 1000000] [--rounds 10]

- launch scaling: a plan fanning out to N tasks (tasks, their events and their mails), each
  launch in a fresh process on a fresh database, against the reference of a Core executemany
  of the same task rows (alone) in another fresh process; rate ratio and peak memory.
- read commands: `cascade status 48-KH/ĐĐTLĐ` (table at 80 columns, and JSON), `history`,
  `outbox`, `bodies`, whole processes, run in turn with `python -c "import sqlalchemy"` (the
  reference: what any SQLAlchemy program pays); goal for status: <= 1.2 x the reference.

Without --database-url each figure runs on a fresh SQLite file (WAL) in a temporary directory;
with a PostgreSQL URL, in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
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
    paired,
)
from models.calendar import load_calendar  # noqa: E402
from models.db import unit_of_work  # noqa: E402
from models.tables import Assignment, Cascade, Directive, Task  # noqa: E402
from models.template import load_template, parse_template  # noqa: E402
from services.launch import launch_cascade  # noqa: E402
from services.status import list_tasks  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
LAUNCH_DAY = dt.date(2023, 7, 20)
AT = dt.datetime(2023, 7, 20, 9, tzinfo=VN)
CALENDAR = load_calendar(ROOT / "config" / "calendar.yaml")
TEMPLATE_48 = ROOT / "templates" / "directives" / "48-KH-DDTLD-2023.yaml"
GROUP = "group:cong_doan_cap_tinh_nganh_tw"


def launch(engine, spec, text, days=None):
    with unit_of_work(engine) as session:
        return launch_cascade(session=session, spec=spec, template_text=text, registry=REGISTRY,
                              calendar=CALENDAR, at=AT, coordinator="tld_van_phong_dang_doan",
                              launched_on=LAUNCH_DAY, tz=VN,
                              annual_days=days)


def bench_launch_48(url):
    spec = load_template(TEMPLATE_48, REGISTRY)
    text = TEMPLATE_48.read_text(encoding="utf-8")
    times = []
    for _ in range(5):
        with Database(url) as db:
            start = time.perf_counter()
            result = launch(db.engine, spec, text, {"III.1": "12-15", "III.2": "12-15"})
            times.append(time.perf_counter() - start)
    print(f"launch 48-KH/ĐĐTLĐ ({result.tasks} tasks): median {statistics.median(times)*1000:.1f} ms"
          f" over {len(times)} runs (service time: validate done, one transaction)")


def synthetic_template(tasks: int) -> str:
    per_item = len(REGISTRY.expand(GROUP))
    items = -(-tasks // per_item)
    lines = ["directive:", "  number: 999-KH/TLĐ", "  kind: Kế hoạch", "  issuer: tld",
             "  issued_on: 2024-01-02", "  title: Kế hoạch tổng hợp để đo", "assignments:"]
    for i in range(items):
        lines += [f"  - ref: '{i + 1}'", f"    lead: ['{GROUP}']", f"    task: Việc số {i + 1}",
                  "    deadline: annual:11-30"]
    return "\n".join(lines) + "\n"


def child_launch(url: str, tasks: int) -> dict:
    """In a child process: parse the plan of `tasks` tasks, then launch it (timed)."""
    from models.db import make_engine

    engine = make_engine(url)
    text = synthetic_template(tasks)
    spec = parse_template(text, REGISTRY)
    start = time.perf_counter()
    result = launch(engine, spec, text)
    return {"seconds": time.perf_counter() - start, "tasks": result.tasks}


def child_executemany(url: str, tasks: int) -> dict:
    """In a child process, the reference: the same number of task rows by Core executemany
    (50,000 a statement), in one transaction, nothing else."""
    from models.db import make_engine

    engine = make_engine(url)
    bodies = REGISTRY.expand(GROUP)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(Directive.__table__), [{
            "id": 1, "number": "1-KH/REF", "kind": "Kế hoạch", "issuer_id": "tld",
            "issued_on": dt.date(2024, 1, 2), "title": "x", "implements": [], "created_at": now}])
        conn.execute(sa.insert(Cascade.__table__), [{
            "id": 1, "directive_id": 1, "coordinator_id": "tld", "template_sha256": "x",
            "launched_at": now}])
        items = -(-tasks // len(bodies))
        conn.execute(sa.insert(Assignment.__table__), [
            {"id": i + 1, "cascade_id": 1, "position": i, "ref": str(i + 1), "task_text": "x",
             "deadline_rule": "annual:11-30", "lead_refs": [], "cooperating_refs": []}
            for i in range(items)])
    start = time.perf_counter()
    with engine.begin() as conn:
        insert_in_batches(conn, Task.__table__, (
            {"cascade_id": 1, "assignment_id": i + 1, "body_id": body, "role": "lead",
             "occurrence": 1, "status": "assigned", "due_on": dt.date(2024, 11, 30),
             "created_at": now, "updated_at": now, "version": 1}
            for i in range(items) for body in bodies))
    return {"seconds": time.perf_counter() - start, "tasks": items * len(bodies)}


def bench_scaling(url, sizes):
    print("launch scaling (each in a fresh process and database; memory: peak resident, above "
          "the process's imports)")
    print(f"  {'tasks':>10}  {'launch':>8}  {'tasks/s':>9}  {'memory':>8}  "
          f"{'reference':>9}  {'rate ratio':>10}")
    for size in sizes:
        with Database(url) as db:
            run = in_child("benchmarks.launch:child_launch", url=db.url, tasks=size)
        with Database(url) as db:
            ref = in_child("benchmarks.launch:child_executemany", url=db.url, tasks=size)
        rate, ref_rate = run["tasks"] / run["seconds"], ref["tasks"] / ref["seconds"]
        print(f"  {run['tasks']:>10,}  {run['seconds']:>7.2f}s  {rate:>9,.0f}  "
              f"{run['peak_mb'] - run['base_mb']:>6.0f}MB  {ref['seconds']:>8.2f}s  "
              f"{rate / ref_rate:>10.2f}")


def fill(engine, total: int) -> str:
    """~`total` tasks over many cascades shaped like 48-KH, by bulk insert; one to query."""
    spec = load_template(TEMPLATE_48, REGISTRY)
    text = TEMPLATE_48.read_text(encoding="utf-8")
    launch(engine, spec, text, {"III.1": "12-15", "III.2": "12-15"})
    bodies = list(REGISTRY.bodies)
    per = 100
    cascades = total // per
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        base = conn.execute(sa.select(sa.func.max(Directive.id))).scalar() or 0
        conn.execute(sa.insert(Directive.__table__), [
            {"id": base + i + 1, "number": f"{i + 1}-KH/BENCH", "kind": "Kế hoạch",
             "issuer_id": "tld", "issued_on": dt.date(2024, 1, 1), "title": "x",
             "implements": [], "created_at": now} for i in range(cascades)])
        cbase = conn.execute(sa.select(sa.func.max(Cascade.id))).scalar() or 0
        conn.execute(sa.insert(Cascade.__table__), [
            {"id": cbase + i + 1, "directive_id": base + i + 1, "coordinator_id": "tld",
             "template_sha256": "x", "launched_at": now} for i in range(cascades)])
        abase = conn.execute(sa.select(sa.func.max(Assignment.id))).scalar() or 0
        conn.execute(sa.insert(Assignment.__table__), [
            {"id": abase + i + 1, "cascade_id": cbase + i + 1, "position": 0, "ref": "1",
             "task_text": "x", "deadline_rule": "2024-11-30", "lead_refs": [],
             "cooperating_refs": []} for i in range(cascades)])
        insert_in_batches(conn, Task.__table__, (
            {"cascade_id": cbase + i + 1, "assignment_id": abase + i + 1,
             "body_id": bodies[j % len(bodies)], "role": "lead",
             "occurrence": j // len(bodies) + 1, "status": "assigned",
             "due_on": dt.date(2024, 11, 30), "created_at": now, "updated_at": now, "version": 1}
            for i in range(cascades) for j in range(per)))
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    return "48-KH/ĐĐTLĐ"


def bench_reads(url, total, rounds):
    with Database(url) as db:
        start = time.perf_counter()
        directive = fill(db.engine, total)
        with db.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(Task)).scalar()
        print(f"read commands among {count:,} tasks (filled in {time.perf_counter() - start:.0f} "
              f"s); whole processes, medians of {rounds} runs taken in turn")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            with unit_of_work(db.engine, write=False) as session:
                rows = list_tasks(session=session, at=AT, tz=VN, calendar=CALENDAR,
                                  near_due_working_days=3, directive=directive)
            times.append(time.perf_counter() - start)
        cascade = str(Path(sys.executable).parent / "cascade")
        at: list[str] = []  # today: the calendar from its cache (an old --at reads holidays)
        commands = {
            'reference: python -c "import sqlalchemy"': [sys.executable, "-c",
                                                         "import sqlalchemy"],
            f"cascade status {directive}": [cascade, "status", directive, *at],
            f"cascade status {directive} --format json": [cascade, "status", directive, *at,
                                                          "--format", "json"],
            "cascade history 20": [cascade, "history", "20"],
            "cascade outbox --limit 20": [cascade, "outbox", "--limit", "20"],
            "cascade bodies": [cascade, "bodies"],
        }
        env = {**os.environ, "CASCADE_DATABASE_URL": db.url, "COLUMNS": "80"}
        walls = paired(commands, rounds, env)
    label = next(iter(commands))
    reference = walls.pop(label)
    print(f"  {label:<46} {reference * 1000:6.0f} ms")
    for name, wall in walls.items():
        goal = ""
        if name.startswith("cascade status"):
            goal = " (meets <= 1.2)" if wall <= 1.2 * reference else " (ABOVE 1.2)"
        print(f"  {name:<46} {wall * 1000:6.0f} ms  {wall / reference:4.2f} x{goal}")
    print(f"  (the status service alone, {len(rows)} tasks: median "
          f"{statistics.median(times) * 1000:.1f} ms)")


def bench_help():
    walls = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "cascade"), "--help"], check=True,
                       stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
    print(f"`cascade --help` wall time: median {statistics.median(walls)*1000:.0f} ms, "
          f"max {max(walls)*1000:.0f} ms over {len(walls)} runs")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    database_option(ap)
    ap.add_argument("--sizes", default="10000,100000,1000000",
                    help="launch sizes, comma-separated")
    ap.add_argument("--big", type=int, default=1_000_000, help="tasks for the read commands")
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    print(f"database: {backend_name(args.url)}; {os.cpu_count()} cores")
    bench_help()
    bench_launch_48(args.url)
    bench_scaling(args.url, [int(n) for n in args.sizes.split(",")])
    bench_reads(args.url, args.big, args.rounds)


if __name__ == "__main__":
    main()
