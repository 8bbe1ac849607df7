"""Launch, bulk fan-out, status among 1,000,000 tasks, and `cascade --help`: printed figures.

    python benchmarks/launch.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--tasks 100000] [--big 1000000]

Without --url each figure runs on a fresh SQLite file (WAL) in a temporary directory. With a
PostgreSQL URL, the benchmark works in a schema of its own and drops it afterwards.
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

from benchmarks.common import REGISTRY, Database, insert_in_batches  # noqa: E402
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


def bench_fan_out(url, tasks):
    text = synthetic_template(tasks)
    spec = parse_template(text, REGISTRY)
    with Database(url) as db:
        start = time.perf_counter()
        result = launch(db.engine, spec, text)
        elapsed = time.perf_counter() - start
    print(f"launch fanning out to {result.tasks:,} tasks ({len(spec.assignments)} items x "
          f"{len(REGISTRY.expand(GROUP))} bodies): {elapsed:.2f} s, "
          f"{result.tasks / elapsed:,.0f} tasks/s (tasks, their creation events and assignment mails)")


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


def bench_status(url, total):
    with Database(url) as db:
        start = time.perf_counter()
        directive = fill(db.engine, total)
        with db.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(Task)).scalar()
        print(f"filled {count:,} tasks in {time.perf_counter() - start:.1f} s")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            with unit_of_work(db.engine, write=False) as session:
                rows = list_tasks(session=session, at=AT, tz=VN, calendar=CALENDAR,
                                  near_due_working_days=3, directive=directive)
            times.append(time.perf_counter() - start)
        print(f"status service for {directive} ({len(rows)} tasks) among {count:,}: median "
              f"{statistics.median(times)*1000:.1f} ms")
        env = {**os.environ, "CASCADE_DATABASE_URL": db.url, "COLUMNS": "160"}
        for fmt in ("json", "table"):
            walls = []
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run(["cascade", "status", directive, "--format", fmt,
                                "--at", "2023-08-01T09:00"], env=env, check=True,
                               stdout=subprocess.DEVNULL)
                walls.append(time.perf_counter() - start)
            print(f"`cascade status {directive} --format {fmt}` wall time (process start "
                  f"included): median {statistics.median(walls)*1000:.0f} ms")


def bench_help():
    walls = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(["cascade", "--help"], check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
    print(f"`cascade --help` wall time: median {statistics.median(walls)*1000:.0f} ms, "
          f"max {max(walls)*1000:.0f} ms over {len(walls)} runs")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="PostgreSQL URL (default: SQLite files)")
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"database: {'PostgreSQL' if args.url else 'SQLite (WAL)'}; {os.cpu_count()} cores")
    bench_help()
    bench_launch_48(args.url)
    bench_fan_out(args.url, args.tasks)
    bench_status(args.url, args.big)


if __name__ == "__main__":
    main()
