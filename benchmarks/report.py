"""The review summary of a 1,000-task directive: summarise + JSON, HTML, .docx; printed figures.

    python benchmarks/report.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--tasks 1000] [--runs 5]

A synthetic plan fans 20 items out to the 52 provincial and sector federations (1,040 tasks),
then some tasks are moved through the service: closed on time, closed late, extended, started.
Without --database-url it runs on a fresh SQLite file (WAL); with a PostgreSQL URL, in a schema of its
own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402
from launch import CALENDAR, GROUP, REGISTRY, Database, synthetic_template  # noqa: E402

from benchmarks.common import database_option  # noqa: E402
from models.db import unit_of_work  # noqa: E402
from models.tables import Task  # noqa: E402
from models.template import parse_template  # noqa: E402
from reports.docx import render_docx  # noqa: E402
from reports.html import render_html  # noqa: E402
from reports.summarise import summarise_directive  # noqa: E402
from services.actions import record_action  # noqa: E402
from services.launch import launch_cascade  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
LAUNCH_DAY = dt.date(2023, 7, 20)
LAUNCHED = dt.datetime(2024, 1, 5, 9, tzinfo=VN)
AS_OF = dt.datetime(2024, 12, 10, 9, tzinfo=VN)  # after the 30/11 deadlines


def populate(engine, tasks: int) -> str:
    text = synthetic_template(tasks)
    spec = parse_template(text, REGISTRY)
    with unit_of_work(engine) as session:
        result = launch_cascade(session=session, spec=spec, template_text=text, registry=REGISTRY,
                                calendar=CALENDAR, at=LAUNCHED, coordinator="tld_van_phong_dang_doan",
                                launched_on=LAUNCH_DAY, tz=VN)
    with engine.connect() as conn:
        ids = conn.execute(sa.select(Task.id).where(Task.cascade_id == result.cascade_id)
                           .order_by(Task.id)).scalars().all()
    moves = 0
    for i, tid in enumerate(ids):
        steps: list[tuple[str, dt.datetime, dict]] = []
        if i % 5 == 0:  # on time
            steps = [("close", dt.datetime(2024, 11, 20, 9, tzinfo=VN), {})]
        elif i % 5 == 1:  # late
            steps = [("start", dt.datetime(2024, 3, 1, 9, tzinfo=VN), {}),
                     ("close", dt.datetime(2024, 12, 5, 9, tzinfo=VN), {})]
        elif i % 10 == 2:  # extended past the report date
            steps = [("request-extension", dt.datetime(2024, 11, 25, 9, tzinfo=VN),
                      {"until": dt.date(2024, 12, 31), "note": "Chờ số liệu"}),
                     ("grant-extension", dt.datetime(2024, 11, 26, 9, tzinfo=VN), {})]
        elif i % 10 == 3:
            steps = [("acknowledge", dt.datetime(2024, 1, 8, 9, tzinfo=VN), {})]
        for action, when, extra in steps:
            with unit_of_work(engine) as session:
                record_action(session=session, tz=VN, task_id=tid, action=action, at=when,
                              **extra)
            moves += 1
    print(f"populated: {len(ids):,} tasks ({len(spec.assignments)} items x "
          f"{len(REGISTRY.expand(GROUP))} bodies), {moves} actions recorded through the service")
    return spec.directive.number


def timed(label: str, runs: int, func):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {runs} runs")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    database_option(ap)
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"database: {'PostgreSQL' if args.url else 'SQLite (WAL)'}; {os.cpu_count()} cores")
    with Database(args.url) as db:
        number = populate(db.engine, args.tasks)

        def summarise():
            with unit_of_work(db.engine, write=False) as session:
                return summarise_directive(session=session, number=number, at=AS_OF, tz=VN,
                                           calendar=CALENDAR, near_due_working_days=3)

        queries: list[str] = []

        def count(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
            queries.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        summary = summarise()
        sa.event.remove(db.engine, "before_cursor_execute", count)
        n_queries = sum(1 for q in queries if q.lstrip().upper().startswith("SELECT"))
        t = summary.total
        print(f"summary: {t.tasks} tasks: {t.done_on_time} on time, {t.done_late} late, "
              f"{t.in_term} in term, {t.overdue} overdue, {t.not_started} not started, "
              f"{t.extensions_granted} extensions; {len(summary.overdue)} overdue listed with "
              f"history; {n_queries} SELECT statements")
        timed("summarise_directive", args.runs, summarise)
        data = timed("summarise + JSON", args.runs,
                     lambda: json.dumps(summarise().as_json(), ensure_ascii=False))
        html = timed("summarise + HTML", args.runs, lambda: render_html(summarise()))
        docx = timed("summarise + DOCX", args.runs, lambda: render_docx(summarise()))
        print(f"sizes: JSON {len(data.encode()) / 1024:.0f} KiB, HTML {len(html.encode()) / 1024:.0f} "
              f"KiB, DOCX {len(docx) / 1024:.0f} KiB")
        env = {**os.environ, "CASCADE_DATABASE_URL": db.url}
        for fmt in ("json", "html", "docx"):
            walls = []
            for _ in range(3):
                out = Path(f"/tmp/bench-report.{fmt}")
                start = time.perf_counter()
                subprocess.run(["cascade", "report", number, "--format", fmt, "-o", str(out),
                                "--at", AS_OF.isoformat()], env=env, check=True,
                               stdout=subprocess.DEVNULL)
                walls.append(time.perf_counter() - start)
                out.unlink(missing_ok=True)
            print(f"`cascade report --format {fmt} -o FILE` wall time (process start included): "
                  f"median {statistics.median(walls) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
