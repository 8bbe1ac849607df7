"""Link POST latency under concurrent clients, against a real `cascade serve`: printed figures.

    python benchmarks/links.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--clients 50] [--requests 3000] [--rate POSTS_PER_SECOND]

Setup: a fresh database (a SQLite file in WAL mode, or a PostgreSQL schema of its own) with one
launched plan of `--requests` tasks and one 'acknowledge' link per task; `cascade serve` (one
uvicorn process, one worker) in a subprocess on a free loopback port; `--clients` concurrent
HTTP/1.1 keep-alive clients (httpx, asyncio) in this process, each POSTing a different link
until all are spent. Every POST is a real transition: token spent, guarded UPDATE, audit event.
Latency is measured at the client, from sending the request to reading the whole page.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlmodel import select  # noqa: E402

from models.calendar import load_calendar  # noqa: E402
from models.db import make_engine, unit_of_work, upgrade  # noqa: E402
from models.links import LinkSigner  # noqa: E402
from models.registry import load_registry  # noqa: E402
from models.tables import Task  # noqa: E402
from models.template import parse_template  # noqa: E402
from services.launch import launch_cascade  # noqa: E402
from services.links import issue_link  # noqa: E402
from services.registry import sync_registry  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
LAUNCH_DAY = dt.date(2023, 7, 20)
AT = dt.datetime(2024, 1, 2, 9, tzinfo=VN)
SECRET = "benchmark-secret-0123456789abcdefghijklmnop"
SIGNER = LinkSigner(SECRET)
REGISTRY = load_registry(ROOT / "config" / "bodies.yaml")
CALENDAR = load_calendar(ROOT / "config" / "calendar.yaml")
GROUP = "group:cong_doan_cap_tinh_nganh_tw"


def plan(tasks: int) -> str:
    """A plan whose items each go to every provincial/sector federation: about `tasks` tasks."""
    items = -(-tasks // len(REGISTRY.expand(GROUP)))
    lines = ["directive:", "  number: 998-KH/TLĐ", "  kind: Kế hoạch", "  issuer: tld",
             "  issued_on: 2024-01-02", "  title: Kế hoạch để đo đường dẫn", "assignments:"]
    for i in range(items):
        lines += [f"  - ref: '{i + 1}'", f"    lead: ['{GROUP}']", f"    task: Việc số {i + 1}",
                  "    deadline: 2024-11-30"]
    return "\n".join(lines) + "\n"


def prepare(url: str, tasks: int) -> list[str]:
    """Migrate, load the registry, launch the plan, and issue one link per task."""
    engine = make_engine(url)
    upgrade(engine)
    text = plan(tasks)
    with unit_of_work(engine) as session:
        sync_registry(session=session, registry=REGISTRY)
        launch_cascade(session=session, spec=parse_template(text, REGISTRY), template_text=text,
                       registry=REGISTRY, calendar=CALENDAR, at=AT,
                       coordinator="tld_van_phong_dang_doan")
    with unit_of_work(engine) as session:
        rows = session.exec(select(Task.id, Task.body_id).order_by(Task.id)).all()[:tasks]
        tokens = [issue_link(session=session, signer=SIGNER, task_id=tid, action="acknowledge",
                             actor=body, at=dt.datetime.now(dt.UTC), ttl_days=60)
                  for tid, body in rows]
    engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, home: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "CASCADE_DATABASE_URL": url, "CASCADE_SECRET_KEY": SECRET,
           "CASCADE_HOME": home, "PYTHONPATH": str(ROOT)}
    env.pop("CASCADE_ENV", None)
    cascade = Path(sys.executable).parent / "cascade"
    proc = subprocess.Popen([str(cascade), "serve", "--port", str(port)], env=env, cwd=home,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"cascade serve did not start (exit {proc.poll()})")
        time.sleep(0.1)


async def load(base: str, tokens: list[str], clients: int,
               rate: float | None) -> tuple[list[float], dict[int, int], float]:
    """Closed loop (each client posts again as soon as answered) or, with `rate`, clients that
    pause a random time between posts so that together they send about `rate` posts a second."""
    rng = random.Random(4)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    latencies: list[float] = []
    codes: dict[int, int] = {}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            await http.get("/healthz")  # connect before the clock starts
            while not queue.empty():
                if rate:
                    await asyncio.sleep(rng.expovariate(rate / clients))
                    if queue.empty():
                        break
                token = queue.get_nowait()
                start = time.perf_counter()
                response = await http.post(f"/l/{token}", data={"note": "đo"})
                latencies.append(time.perf_counter() - start)
                codes[response.status_code] = codes.get(response.status_code, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, codes, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rate", type=float, help="posts per second across all clients "
                        "(default: closed loop, as fast as the server answers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        schema = None
        if args.url:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with make_engine(args.url).begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            sep = "&" if "?" in args.url else "?"
            url = f"{args.url}{sep}options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{home}/bench.db"
        try:
            tokens = prepare(url, args.requests)
            proc, base = start_server(url, home)
            try:
                latencies, codes, wall = asyncio.run(load(base, tokens, args.clients, args.rate))
            finally:
                proc.terminate()
                proc.wait(30)
        finally:
            if schema:
                with make_engine(args.url).begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    backend = "PostgreSQL" if args.url else "SQLite (WAL)"
    ms = [x * 1000 for x in latencies]
    print(f"link POST (acknowledge: token spent + guarded UPDATE + audit event), {backend}, "
          f"`cascade serve` = 1 uvicorn process, {os.cpu_count()} CPUs, loopback, "
          f"{args.clients} concurrent keep-alive clients in one asyncio process, "
          + (f"open loop at ~{args.rate:g} posts/s" if args.rate else "closed loop (saturating)"))
    print(f"  {len(ms)} requests in {wall:.2f} s = {len(ms) / wall:.0f} req/s; status codes {codes}")
    print(f"  latency p50 {statistics.median(ms):.1f} ms, p90 {percentile(ms, 90):.1f} ms, "
          f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms")


if __name__ == "__main__":
    main()
