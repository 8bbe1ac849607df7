"""Link POSTs under load against a real `cascade serve`: rates and latencies with their reference.

    python benchmarks/links.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--clients 50] [--requests 3000] [--rate 200] [--workers N]

Setup: a fresh database (a SQLite file in WAL mode, or a PostgreSQL schema of its own) with one
launched plan of 3 x `--requests` tasks, each with an 'acknowledge' link; the launch leaves one
'task_assigned' mail per task in the outbox, and an aiosmtpd Sink listens on loopback.
`cascade serve` runs as a user would start it (its web workers, CASCADE_WEB_WORKERS, and the
scheduler's process) in a subprocess. The clients are `--clients` keep-alive HTTP/1.1
connections in this process (a minimal asyncio client, so that the client costs little of the
two CPUs the server needs). Latency is measured at the client, from the request's first byte to
the response's last.

1. reference: GET /healthz (one database read), closed loop: every client sends again as soon as
   it is answered; the scheduler is off.
2. link POST, closed loop, the same clients and server; goal >= 0.6 of the reference's rate.
3. link POST paced at `--rate` posts a second in all (open loop: Poisson arrivals), on a server
   whose scheduler runs and dispatches the outbox every second while the clicks come in (the
   sent mails are counted); goal: p99 < 50 ms.
Every POST is a real transition: token spent, guarded UPDATE of the task, audit event.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

from benchmarks import common  # noqa: E402
from benchmarks.common import (  # noqa: E402
    REGISTRY,
    Database,
    backend_name,
    database_option,
    free_port,
    percentile,
    start_smtp_sink,
)
from models.calendar import WorkingCalendar  # noqa: E402
from models.contacts import load_contacts  # noqa: E402
from models.db import unit_of_work  # noqa: E402
from models.links import LinkSigner  # noqa: E402
from models.tables import Outbox, Task  # noqa: E402
from models.template import parse_template  # noqa: E402
from services.launch import launch_cascade  # noqa: E402
from services.links import issue_link  # noqa: E402
from services.registry import sync_contacts  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
SECRET = "benchmark-secret-0123456789abcdefghijklmnop"
SIGNER = LinkSigner(SECRET)
GROUP = "group:cong_doan_cap_tinh_nganh_tw"


def plan(tasks: int) -> str:
    """A plan whose items each go to every provincial/sector federation: about `tasks` tasks."""
    items = -(-tasks // len(REGISTRY.expand(GROUP)))
    lines = ["directive:", "  number: 998-KH/TLĐ", "  kind: Kế hoạch", "  issuer: tld",
             "  issued_on: 2026-01-02", "  title: Kế hoạch để đo đường dẫn", "assignments:"]
    for i in range(items):
        lines += [f"  - ref: '{i + 1}'", f"    lead: ['{GROUP}']", f"    task: Việc số {i + 1}",
                  "    deadline: 2027-11-30"]
    return "\n".join(lines) + "\n"


def prepare(engine: sa.Engine, tasks: int) -> list[str]:
    """Launch the plan (its mails queued) and issue one 'acknowledge' link per task."""
    now = dt.datetime.now(dt.UTC)
    text = plan(tasks)
    contacts = load_contacts(ROOT / "config" / "contacts.yaml",
                             ROOT / "config" / "contacts.example.yaml", REGISTRY)
    with unit_of_work(engine) as session:
        sync_contacts(session=session, contacts=contacts)
        launch_cascade(session=session, spec=parse_template(text, REGISTRY), template_text=text,
                       registry=REGISTRY, calendar=WorkingCalendar(), at=now,
                       coordinator="tld_van_phong_dang_doan", launched_on=now.date(), tz=VN)
    with unit_of_work(engine) as session:
        rows = session.exec(select(Task.id, Task.body_id).order_by(Task.id)).all()[:tasks]
        return [issue_link(session=session, signer=SIGNER, task_id=tid, action="acknowledge",
                           actor=body, at=now, ttl_days=60) for tid, body in rows]


class Server:
    """`cascade serve` in a subprocess, on a free port, until the block ends."""

    def __init__(self, url: str, home: str, *, scheduler: bool, smtp_port: int,
                 workers: int | None):
        self.port = free_port()
        self.env = {**os.environ, "CASCADE_DATABASE_URL": url, "CASCADE_SECRET_KEY": SECRET,
                    "CASCADE_HOME": home, "PYTHONPATH": str(ROOT),
                    "CASCADE_SCHEDULER": "embedded" if scheduler else "off",
                    "CASCADE_DISPATCH_EVERY_SECONDS": "1", "CASCADE_SMTP_HOST": "127.0.0.1",
                    "CASCADE_SMTP_PORT": str(smtp_port),
                    "CASCADE_MAIL_FROM": "Văn phòng <giaoviec@congdoan.vn>"}
        self.env.pop("CASCADE_ENV", None)
        self.args = [str(Path(sys.executable).parent / "cascade"), "serve", "--port",
                     str(self.port)] + (["--workers", str(workers)] if workers else [])
        self.cwd = home

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while asyncio.run(_healthy(self.port)) != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"cascade serve did not start (exit {self.proc.poll()})")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(30)


class Connection:
    """One keep-alive HTTP/1.1 connection: a request, then its status once the body is read."""

    def __init__(self, port: int):
        self.port = port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes = b"") -> int:
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def _healthy(port: int) -> int:
    try:
        conn = Connection(port)
        await conn.open()
        try:
            return await conn.request("GET", "/healthz")
        finally:
            conn.close()
    except OSError:
        return 0


class Run:
    def __init__(self, latencies: list[float], codes: dict[int, int], wall: float):
        self.ms, self.codes, self.wall = [x * 1000 for x in latencies], codes, wall
        self.rate = len(self.ms) / wall

    def line(self, label: str) -> str:
        return (f"  {label:<34} {self.rate:6.0f} req/s  p50 {statistics.median(self.ms):6.1f}  "
                f"p95 {percentile(self.ms, 95):6.1f}  p99 {percentile(self.ms, 99):6.1f} ms  "
                f"{dict(sorted(self.codes.items()))}")


async def load(port: int, requests: list[tuple[str, str, bytes]], clients: int,
               rate: float | None) -> Run:
    """Closed loop (every client sends again as soon as it is answered), or open loop at `rate`
    a second: arrivals at exponential gaps, each sent at its time by a free client and timed
    from that time (a request that waits for a free client counts its wait)."""
    rng = random.Random(4)
    arrivals: list[float] = []
    if rate:
        t = 0.0
        for _ in requests:
            t += rng.expovariate(rate)
            arrivals.append(t)
    queue = list(reversed(list(enumerate(requests))))
    latencies: list[float] = []
    codes: dict[int, int] = {}
    conns = [Connection(port) for _ in range(clients)]
    for conn in conns:
        await conn.open()
    start = time.perf_counter()

    async def client(conn: Connection) -> None:
        while queue:
            i, (method, path, body) = queue.pop()
            sent_at = time.perf_counter()
            if rate:
                sent_at = start + arrivals[i]
                await asyncio.sleep(max(0.0, sent_at - time.perf_counter()))
            code = await conn.request(method, path, body)
            latencies.append(time.perf_counter() - sent_at)
            codes[code] = codes.get(code, 0) + 1

    try:
        await asyncio.gather(*(client(conn) for conn in conns))
    finally:
        for conn in conns:
            conn.close()
    return Run(latencies, codes, time.perf_counter() - start)


def posts(tokens: list[str]) -> list[tuple[str, str, bytes]]:
    return [("POST", f"/l/{token}", b"note=%C4%91o") for token in tokens]


def sent(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        table = Outbox.__table__
        return conn.execute(sa.select(sa.func.count()).select_from(table)
                            .where(table.c.status == "sent")).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    database_option(parser)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="per measure")
    parser.add_argument("--rate", type=float, default=200, help="paced posts a second, in all")
    parser.add_argument("--workers", type=int, help="web workers (default: CASCADE_WEB_WORKERS)")
    parser.add_argument("--sink-nice", type=int, default=10,
                        help="niceness of the SMTP sink, which stands for a server on another "
                             "machine (0: compete with the web for this machine's CPUs)")
    args = parser.parse_args()
    if args.sink_nice:
        common.NICE[:] = ["nice", "-n", str(args.sink_nice)]
    n = args.requests
    smtp_port = free_port()
    sink = start_smtp_sink(smtp_port)
    try:
        with Database(args.url) as db, tempfile.TemporaryDirectory() as home:
            tokens = prepare(db.engine, 2 * n)
            print(f"link POST (acknowledge), {backend_name(args.url)}, `cascade serve` "
                  f"({args.workers or 'default'} web workers), {os.cpu_count()} CPUs, loopback, "
                  f"{args.clients} keep-alive clients; {n} requests a measure; SMTP sink at "
                  f"nice {args.sink_nice}")
            with Server(db.url, home, scheduler=False, smtp_port=smtp_port,
                        workers=args.workers) as server:
                health = asyncio.run(load(server.port, [("GET", "/healthz", b"")] * n,
                                          args.clients, None))
                print(health.line("reference: GET /healthz, closed"))
                closed = asyncio.run(load(server.port, posts(tokens[:n]), args.clients, None))
                verdict = "meets" if closed.rate >= 0.6 * health.rate else "BELOW"
                print(closed.line("link POST, closed loop"))
                print(f"  {'':<34} ratio {closed.rate / health.rate:.2f} of the reference "
                      f"({verdict} >= 0.6)")
            before = sent(db.engine)
            with Server(db.url, home, scheduler=True, smtp_port=smtp_port,
                        workers=args.workers) as server:
                paced = asyncio.run(load(server.port, posts(tokens[n:]), args.clients, args.rate))
                mailed = sent(db.engine) - before
            verdict = "meets" if percentile(paced.ms, 99) < 50 else "ABOVE"
            print(paced.line(f"link POST, paced {args.rate:g}/s"))
            print(f"  {'':<34} p99 {verdict} 50 ms; the scheduler sent {mailed} mails meanwhile "
                  f"({mailed / paced.wall:.0f}/s)")
    finally:
        sink.kill()


if __name__ == "__main__":
    main()
