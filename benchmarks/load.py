"""Link clicks, console users and /healthz at once against a real `cascade serve`: errors,
rates and latencies, and the click p99 against a single client's click p50 of the same run.

    python -m benchmarks.load [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--seconds 30] [--links 50] [--console 20] [--think 1.0] [--workers 2]

Setup: a fresh database (a SQLite file in WAL mode, or a PostgreSQL schema of its own) with one
launched plan whose tasks each have an 'acknowledge' link (their launch mails marked sent, so
the outbox is not behind), `--console` coordinator accounts, and `cascade serve --workers N`
started as a user would (its web workers and its scheduler process, the scheduler embedded, so
/healthz checks its lease) on a loopback port; its log goes to a file that is searched for
tracebacks afterwards.

1. reference, same run, same server: one client alone clicks 100 links in turn (GET the page,
   POST the action), and reads console pages: the click p50 (POST) is the reference;
2. load for `--seconds`: `--links` link clients, each on tasks of its own (GET the link's page,
   think, POST, think: a person answering mails), `--console` logged-in users browsing the
   dashboard, the directive's board (pages and filters), task pages and the inbox (think
   between pages), and one /healthz poller (twice a second), all at once, each with its own
   HTTP/1.1 keep-alive connection (httpx, asyncio, this process). Think times are uniform in
   [0.5, 1.5] x `--think` seconds (0: every client sends again as soon as it is answered);
3. printed: errors (any 5xx, transport error, or a status the request should not get), click
   and page rates and p50/p95/p99, /healthz statuses, and the ratio click p99 / reference p50
   with the target <= 10x.

Latency is measured at the client from the request's send to the response's last byte.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

from benchmarks.common import Database, backend_name, database_option, free_port, percentile  # noqa: E402
from benchmarks.links import SECRET, prepare  # noqa: E402
from models.db import unit_of_work  # noqa: E402
from models.tables import Directive, Outbox, Task, table_of  # noqa: E402

PASSWORD = "mật-khẩu-đo-tải-2026"
REFERENCE_CLICKS = 100
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Seeded:
    tokens: list[str]
    number: str  # the directive's number (its board)
    task_ids: list[int]
    users: list[str]


def seed(engine: sa.Engine, tasks: int, users: int) -> Seeded:
    """The plan and its links (benchmarks.links), launch mails marked sent, coordinators."""
    from services.accounts import create_user

    tokens = prepare(engine, tasks)
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(engine) as session:
        session.connection().execute(sa.update(table_of(Outbox)).values(status="sent",
                                                                         sent_at=now))
        number = session.exec(select(Directive.number)).one()
        tasks_table = table_of(Task)
        task_ids = [int(i) for i in session.connection().execute(
            sa.select(tasks_table.c.id).order_by(tasks_table.c.id)).scalars()]
        emails = [f"nguoi-dung-{i + 1}@congdoan.vn" for i in range(users)]
        for i, email in enumerate(emails):
            create_user(session=session, email=email, name=f"Người dùng {i + 1}",
                        role="coordinator", password=PASSWORD, at=now)
    return Seeded(tokens, number, task_ids, emails)


class Server:
    """`cascade serve --workers N` in a subprocess, on a free port, until the block ends."""

    def __init__(self, url: str, home: str, workers: int):
        self.port = free_port()
        self.log = Path(home) / "serve.log"
        self.env = {**os.environ, "CASCADE_DATABASE_URL": url, "CASCADE_SECRET_KEY": SECRET,
                    "CASCADE_HOME": home, "PYTHONPATH": str(ROOT),
                    "CASCADE_SCHEDULER": "embedded", "PYTHONUNBUFFERED": "1"}
        self.env.pop("CASCADE_ENV", None)
        self.args = [str(Path(sys.executable).parent / "cascade"), "serve", "--port",
                     str(self.port), "--workers", str(workers)]
        self.cwd = home

    def __enter__(self) -> Server:
        self.out = self.log.open("w")
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=self.cwd, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"cascade serve did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.out.close()


@dataclass
class Tally:
    """Latencies (ms) and statuses of one kind of request; `errors` names what went wrong."""

    ms: list[float] = field(default_factory=list)
    codes: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, started: float, code: int, ok: bool, what: str) -> None:
        self.ms.append((time.perf_counter() - started) * 1000)
        self.codes[code] += 1
        if not ok:
            self.errors[f"{what} {code}"] += 1

    def line(self, label: str, wall: float) -> str:
        if not self.ms:
            return f"  {label:<26} none"
        return (f"  {label:<26} {len(self.ms):6d}  {len(self.ms) / wall:6.1f}/s  p50 "
                f"{statistics.median(self.ms):7.1f}  p95 {percentile(self.ms, 95):7.1f}  p99 "
                f"{percentile(self.ms, 99):7.1f} ms  {dict(sorted(self.codes.items()))}")


async def timed(tally: Tally, client: httpx.AsyncClient, method: str, url: str, *,
                expect: tuple[int, ...], what: str, **kwargs: object) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        tally.add(started, 0, False, f"{what} {type(exc).__name__}")
        return None
    tally.add(started, response.status_code, response.status_code in expect, what)
    return response


async def click(client: httpx.AsyncClient, token: str, pages: Tally, clicks: Tally,
                think: float, rng: random.Random) -> None:
    """A person answering a mail: open the link's page, read, confirm."""
    await timed(pages, client, "GET", f"/l/{token}", expect=(200,), what="GET /l/…")
    await pause(think, rng)
    await timed(clicks, client, "POST", f"/l/{token}", data={"note": "đã nhận"},
                expect=(200, 303), what="POST /l/…")


async def pause(think: float, rng: random.Random) -> None:
    if think:
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def login(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/login")
    match = CSRF.search(page.text)
    assert match, f"no CSRF field on /login ({page.status_code})"
    response = await client.post("/login", data={"email": email, "password": PASSWORD,
                                                 "csrf_token": match[1]})
    assert response.status_code == 303, f"login of {email}: {response.status_code}"


def console_paths(seeded: Seeded, rng: random.Random) -> str:
    board = f"/directives/{seeded.number}"
    choices = ["/", "/directives", board, f"{board}?page={rng.randint(1, 20)}",
               f"{board}?sort=due", f"{board}?q=vi%E1%BB%87c", "/inbox",
               f"/tasks/{rng.choice(seeded.task_ids)}", f"/tasks/{rng.choice(seeded.task_ids)}"]
    return rng.choice(choices)


def family(path: str) -> str:
    """A console page's kind, for the reference's breakdown."""
    if path.startswith("/directives/"):
        return "board, searched" if "q=" in path else "board"
    return {"/": "dashboard"}.get(path, path.split("?")[0].rsplit("/", 1)[0] or path)


async def reference(base: str, seeded: Seeded, tokens: list[str]
                    ) -> tuple[dict[str, Tally], str]:
    """One client alone: clicks in turn, then console pages in turn (and their p50 by kind)."""
    rng = random.Random(1)
    pages, clicks, console = Tally(), Tally(), Tally()
    kinds: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get("/healthz")
        for token in tokens:
            await click(client, token, pages, clicks, 0, rng)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await login(client, seeded.users[0])
        for _ in range(100):
            path = console_paths(seeded, rng)
            response = await timed(console, client, "GET", path, expect=(200,),
                                   what="console GET")
            if response is not None:
                kinds.setdefault(family(path), []).append(console.ms[-1])
    by_kind = ", ".join(f"{kind} {statistics.median(ms):.1f}" for kind, ms in sorted(kinds.items()))
    return {"clicks": clicks, "pages": pages, "console": console}, by_kind


async def under_load(base: str, seeded: Seeded, pools: list[list[str]], *, seconds: float,
                     think: float, console_users: int) -> tuple[dict[str, Tally], float, int]:
    tallies = {name: Tally() for name in ("clicks", "pages", "console", "healthz")}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
               for _ in range(len(pools) + console_users + 1)]
    exhausted = 0
    try:
        # one after another, as people arrive (a login's password check is slow on purpose)
        for i, client in enumerate(clients[len(pools):-1]):
            await login(client, seeded.users[i])
        end = time.perf_counter() + seconds

        async def link_client(i: int) -> None:
            nonlocal exhausted
            rng = random.Random(100 + i)
            await pause(think, rng)  # not all at the same instant
            for token in pools[i]:
                if time.perf_counter() >= end:
                    return
                await click(clients[i], token, tallies["pages"], tallies["clicks"], think, rng)
                await pause(think, rng)
            exhausted += 1

        async def console_user(i: int) -> None:
            rng = random.Random(200 + i)
            client = clients[len(pools) + i]
            await pause(think, rng)
            while time.perf_counter() < end:
                await timed(tallies["console"], client, "GET", console_paths(seeded, rng),
                            expect=(200,), what="console GET")
                await pause(think, rng)

        async def healthz() -> None:
            while time.perf_counter() < end:
                await timed(tallies["healthz"], clients[-1], "GET", "/healthz", expect=(200,),
                            what="GET /healthz")
                await asyncio.sleep(0.5)

        start = time.perf_counter()
        await asyncio.gather(*(link_client(i) for i in range(len(pools))),
                             *(console_user(i) for i in range(console_users)), healthz())
        wall = time.perf_counter() - start
    finally:
        for client in clients:
            await client.aclose()
    return tallies, wall, exhausted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    database_option(parser)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--links", type=int, default=50, help="link clients")
    parser.add_argument("--console", type=int, default=20, help="console users")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean think time between a client's requests, s (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="web workers")
    args = parser.parse_args()
    # enough links that no client runs out: at most one click a think time each
    per_client = int(args.seconds / max(args.think, 0.05) / 1.5) + 10
    tasks = REFERENCE_CLICKS + args.links * per_client
    with Database(args.url) as db, tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        seeded = seed(db.engine, tasks, max(args.console, 1))
        print(f"load: {backend_name(args.url)}, `cascade serve --workers {args.workers}` with its "
              f"scheduler, {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}); "
              f"{len(seeded.tokens)} tasks with a link, seeded in "
              f"{time.perf_counter() - started:.0f} s")
        ref_tokens = seeded.tokens[:REFERENCE_CLICKS]
        rest = seeded.tokens[REFERENCE_CLICKS:]
        pools = [rest[i::args.links] for i in range(args.links)]
        with Server(db.url, home, args.workers) as server:
            ref, by_kind = asyncio.run(reference(server.base, seeded, ref_tokens))
            tallies, wall, exhausted = asyncio.run(under_load(
                server.base, seeded, pools, seconds=args.seconds, think=args.think,
                console_users=args.console))
        log = server.log.read_text(encoding="utf-8", errors="replace")
    ref_p50 = statistics.median(ref["clicks"].ms)
    print(f"reference, one client alone (same run, same server), {REFERENCE_CLICKS} clicks:")
    print(ref["clicks"].line("click (POST /l/…)", sum(ref["clicks"].ms) / 1000))
    print(ref["pages"].line("link page (GET /l/…)", sum(ref["pages"].ms) / 1000))
    print(ref["console"].line("console page", sum(ref["console"].ms) / 1000))
    print(f"  {'':<26} p50 by kind (ms): {by_kind}")
    print(f"under load for {wall:.1f} s: {args.links} link clients, {args.console} console users "
          f"(think {args.think:g} s), /healthz every 0.5 s (load average now "
          f"{os.getloadavg()[0]:.1f}):")
    print(tallies["clicks"].line("click (POST /l/…)", wall))
    print(tallies["pages"].line("link page (GET /l/…)", wall))
    print(tallies["console"].line("console page", wall))
    print(tallies["healthz"].line("/healthz", wall))
    errors = sum((t.errors for t in (*tallies.values(), *ref.values())), Counter())
    tracebacks = log.count("Traceback")
    print(f"errors: {sum(errors.values())} {dict(errors) or ''}; tracebacks in the server's log: "
          f"{tracebacks}; link clients that ran out of links: {exhausted}")
    if not tallies["clicks"].ms:
        raise SystemExit("no click under load")
    ratio = percentile(tallies["clicks"].ms, 99) / ref_p50
    verdict = "meets" if ratio <= 10 and not errors else "MISSES"
    print(f"click p99 under load / single-client click p50 = "
          f"{percentile(tallies['clicks'].ms, 99):.1f} / {ref_p50:.1f} ms = {ratio:.1f}x "
          f"({verdict} the target: <= 10x, 0 errors)")


if __name__ == "__main__":
    main()
