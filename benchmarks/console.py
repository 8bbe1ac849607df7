"""The console's server time per page with 200 directives and 1,000,000 tasks: printed figures.

    python benchmarks/console.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--tasks 1000000] [--directives 200] [--board 10000] [--runs 5]

One directive holds `--board` tasks (the board measured); the others share the rest. Tasks have
every status, due dates over three years, closing times for the finished ones. Each page is
requested through the real ASGI app (session check, query, template) with a logged-in
coordinator. The dashboard's counts over every task are kept until a task changes
(services.counts.CountsCache): it is measured both as it is read again and right after a
change elsewhere (the full count). Next to it, reference queries measured in the same run on
the same database say how fast this machine and backend are today: a full `count(*)` of the
tasks, and reading one page of 50 rows of a cascade by its index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.common import REGISTRY, Database, database_option, insert_in_batches  # noqa: E402
from models.db import unit_of_work  # noqa: E402
from models.tables import Assignment, Cascade, Directive, Task, TaskEvent  # noqa: E402

UTC = dt.UTC
NOW = dt.datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
STATUSES = (["assigned"] * 30 + ["acknowledged"] * 10 + ["in_progress"] * 25 + ["reported"] * 3
            + ["extension_requested"] * 2 + ["done"] * 28 + ["cancelled"] * 2)
PASSWORD = "mật-khẩu-đủ-dài-2026"


def fill(engine, total: int, directives: int, board: int) -> str:
    """`directives` cascades, one of `board` tasks, `total` tasks in all; its number."""
    bodies = list(REGISTRY.bodies)
    rng = random.Random(7)
    per_other = (total - board) // (directives - 1)
    items = 10
    with engine.begin() as conn:
        conn.execute(sa.insert(Directive.__table__), [
            {"id": i + 1, "number": f"{i + 1}-KH/BENCH", "kind": "Kế hoạch", "issuer_id": "tld",
             "issued_on": dt.date(2023, 1, 1), "title": f"Kế hoạch đo số {i + 1}",
             "implements": [], "created_at": NOW} for i in range(directives)])
        conn.execute(sa.insert(Cascade.__table__), [
            {"id": i + 1, "directive_id": i + 1, "coordinator_id": "tld_van_phong_dang_doan",
             "template_sha256": "x", "launched_at": NOW - dt.timedelta(days=directives - i)}
            for i in range(directives)])
        conn.execute(sa.insert(Assignment.__table__), [
            {"id": c * items + a + 1, "cascade_id": c + 1, "position": a, "ref": f"{a + 1}",
             "task_text": f"Nội dung việc {a + 1} của kế hoạch {c + 1}", "deadline_rule": None,
             "lead_refs": [], "cooperating_refs": []}
            for c in range(directives) for a in range(items)])

        def rows():
            for c in range(directives):
                count = board if c == 0 else per_other
                for j in range(count):
                    status = STATUSES[rng.randrange(len(STATUSES))]
                    due = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1100))
                    closed = None
                    if status in ("done", "cancelled"):
                        closed = dt.datetime.combine(due + dt.timedelta(days=rng.randrange(-20, 10)),
                                                     dt.time(3), tzinfo=UTC)
                    yield {"cascade_id": c + 1, "assignment_id": c * items + j % items + 1,
                           "body_id": bodies[(j // items) % len(bodies)],
                           "role": "lead", "occurrence": j // (items * len(bodies)) + 1,
                           "status": status, "due_on": due, "created_at": NOW, "updated_at": NOW,
                           "closed_at": closed, "version": 1}

        insert_in_batches(conn, Task.__table__, rows())
        conn.execute(sa.insert(TaskEvent.__table__).from_select(
            ["task_id", "at", "actor", "channel", "action", "to_status"],
            sa.select(Task.id, sa.literal(NOW, TaskEvent.__table__.c.at.type),
                      sa.literal("tld_van_phong_dang_doan"), sa.literal("launch"),
                      sa.literal("assign"), sa.literal("assigned"))
            .where(Task.cascade_id == 1)))
    if engine.dialect.name == "postgresql":  # as autovacuum leaves a table that has settled
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return "1-KH/BENCH"


def _median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    database_option(parser)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--directives", type=int, default=200)
    parser.add_argument("--board", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from cascade.bootstrap import build_app
    from services.accounts import create_user
    from web.app import create_app

    with Database(args.url) as db:
        start = time.perf_counter()
        number = fill(db.engine, args.tasks, args.directives, args.board)
        with db.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(Task)).scalar()
        print(f"{db.engine.dialect.name}: filled {count:,} tasks in {args.directives} directives "
              f"({args.board:,} in {number}) in {time.perf_counter() - start:.1f} s")
        app = build_app({"CASCADE_DATABASE_URL": db.url, "CASCADE_HOME": str(Path(db.tmp.name if db.tmp
                                                                                    else "/tmp"))},
                        clock=lambda: NOW)
        with unit_of_work(app.engine) as session:
            create_user(session=session, email="bench@congdoan.vn", name="Đo", role="coordinator",
                        password=PASSWORD, at=NOW)
        with TestClient(create_app(app)) as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
            client.post("/login", data={"email": "bench@congdoan.vn", "password": PASSWORD,
                                        "csrf_token": token})

            def get(path: str):
                def call():
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                return call

            with db.engine.connect() as conn:
                references = {
                    "count(*) of every task": _median_ms(
                        lambda: conn.execute(sa.select(sa.func.count()).select_from(Task)).scalar(),
                        args.runs),
                    "50 tasks of one cascade by index": _median_ms(
                        lambda: conn.execute(sa.select(Task.id, Task.status).where(
                            Task.cascade_id == 1).order_by(Task.id).limit(50)).all(), args.runs),
                }
            pages = {
                "dashboard /": "/",
                f"board {number} (page 1 of {args.board:,})": f"/directives/{number}",
                "board, filtered to one body": f"/directives/{number}?body=tld_ban_to_chuc",
                "board, overdue, sorted by due date": f"/directives/{number}?colour=overdue&sort=due",
                "board, text search": f"/directives/{number}?q=vi%E1%BB%87c+3",
                "inbox /inbox": "/inbox",
                "directives /directives": "/directives",
            }
            for path in pages.values():
                get(path)()  # warm: templates compiled, caches filled
            timings = {name: _median_ms(get(path), args.runs) for name, path in pages.items()}

            def after_a_change(path: str):
                def call():
                    with db.engine.begin() as conn:  # an action elsewhere: the counts are stale
                        conn.execute(sa.insert(TaskEvent.__table__).values(
                            task_id=1, at=NOW, actor="tld_bch", channel="cli", action="remind",
                            from_status="assigned", to_status="assigned"))
                    get(path)()
                return call

            timings["dashboard / right after a change elsewhere"] = _median_ms(after_a_change("/"),
                                                                               args.runs)
            timings["directives right after a change elsewhere"] = _median_ms(
                after_a_change("/directives"), args.runs)
        app.close()
    print(f"server time per page, median of {args.runs} (session check, queries, rendering):")
    for name, ms in timings.items():
        print(f"  {name:<45} {ms:8.1f} ms")
    print("reference queries in the same run:")
    for name, ms in references.items():
        print(f"  {name:<45} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
