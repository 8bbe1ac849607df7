"""Outbox dispatch throughput to a local SMTP server over one connection: printed figures.

    python benchmarks/dispatch.py [--messages 2000] [--batch-size 200]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

The server is aiosmtpd's Sink handler in a subprocess (so it does not share this process's
GIL). Figures: end-to-end dispatch (claim + links + render + send + record), rendering alone,
and sending pre-rendered messages alone. Target: >= 500 messages/s end to end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from config.settings import load_settings  # noqa: E402
from models.calendar import WorkingCalendar  # noqa: E402
from models.contacts import load_contacts  # noqa: E402
from models.db import make_engine, unit_of_work, upgrade  # noqa: E402
from models.links import LinkSigner  # noqa: E402
from models.registry import load_registry  # noqa: E402
from models.tables import Outbox, Task  # noqa: E402
from models.template import load_template  # noqa: E402
from notifications.mailer import SmtpMailer  # noqa: E402
from notifications.render import MailTemplates  # noqa: E402
from services.dispatch import RetryPolicy, claim_batch, dispatch_outbox  # noqa: E402
from services.launch import launch_cascade  # noqa: E402
from services.registry import sync_contacts, sync_registry  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
LAUNCH_DAY = dt.date(2023, 7, 20)
AT = dt.datetime(2023, 7, 20, 9, tzinfo=VN)
TEMPLATE_48 = ROOT / "templates" / "directives" / "48-KH-DDTLD-2023.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("aiosmtpd did not start")


def prepare_database(url: str, messages: int, settings) -> sa.Engine:  # type: ignore[no-untyped-def]
    """48-KH launched, then outbox rows added until `messages` are queued."""
    engine = make_engine(url)
    upgrade(engine)
    registry = load_registry(ROOT / "config" / "bodies.yaml")
    contacts = load_contacts(settings.contacts_path, settings.example_contacts_path, registry)
    spec = load_template(TEMPLATE_48, registry)
    with unit_of_work(engine) as session:
        sync_registry(session=session, registry=registry)
        sync_contacts(session=session, contacts=contacts)
        launch_cascade(session=session, spec=spec, template_text=TEMPLATE_48.read_text(),
                       registry=registry, calendar=WorkingCalendar(), at=AT,
                       coordinator="tld_van_phong_dang_doan",
                       annual_days={"III.1": "12-15", "III.2": "12-15"}, launched_on=AT.date(), tz=VN)
        tasks = list(session.execute(sa.select(Task.id, Task.body_id)).all())
        extra = messages - len(tasks)
        rows = [{"key": f"bench:{i}", "kind": "task_assigned", "task_id": tasks[i % len(tasks)][0],
                 "body_id": tasks[i % len(tasks)][1], "status": "pending", "attempts": 0,
                 "next_attempt_at": AT, "created_at": AT} for i in range(max(extra, 0))]
        if rows:
            session.execute(sa.insert(Outbox.__table__), rows)
    return engine


def render_only(engine, settings, batch_size: int) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    """Claim + links + render of every row, rolled back; returns (seconds, messages)."""
    messages = []
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        while True:
            prepared = claim_batch(session=session, settings=settings,
                                   signer=LinkSigner(settings.secret_key), renderer=MailTemplates(),
                                   at=AT, limit=batch_size, policy=RetryPolicy())
            if not prepared:
                break
            messages += [p.message for p in prepared]
        elapsed = time.perf_counter() - start
        session.rollback()
    return elapsed, messages


async def send_only(messages, settings) -> float:  # type: ignore[no-untyped-def]
    mailer = SmtpMailer(settings.smtp)
    start = time.perf_counter()
    async with mailer:
        for msg in messages:
            await mailer.send(msg)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--url", default=None, help="PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    tmp = tempfile.TemporaryDirectory()
    schema = None
    url = f"sqlite:///{tmp.name}/bench.db"
    if args.url:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with make_engine(args.url).begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in args.url else "?"
        url = f"{args.url}{sep}options=-csearch_path%3D{schema}"
    settings = load_settings({
        "CASCADE_HOME": tmp.name, "CASCADE_DATABASE_URL": url, "CASCADE_SMTP_HOST": "127.0.0.1",
        "CASCADE_SMTP_PORT": str(port), "CASCADE_MAIL_FROM": "Văn phòng <giaoviec@congdoan.vn>",
        "CASCADE_CONTACTS": os.path.join(tmp.name, "none.yaml")})
    try:
        engine = prepare_database(url, args.messages, settings)
        backend = "PostgreSQL" if args.url else "SQLite"
        print(f"{args.messages} messages, batches of {args.batch_size}, {backend}, aiosmtpd Sink in a "
              f"subprocess on 127.0.0.1:{port}, one SMTP connection")

        render_s, messages = render_only(engine, settings, args.batch_size)
        print(f"  claim + links + render alone : {render_s:6.2f} s  "
              f"{len(messages) / render_s:7.0f} messages/s  ({render_s / len(messages) * 1000:.2f} ms each)")
        send_s = asyncio.run(send_only(messages, settings))
        print(f"  SMTP send alone (pre-rendered): {send_s:6.2f} s  {len(messages) / send_s:7.0f} messages/s")

        clock_start = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        report = dispatch_outbox(engine=engine, mailer=SmtpMailer(settings.smtp), settings=settings,
                                 signer=LinkSigner(settings.secret_key), renderer=MailTemplates(),
                                 clock=lambda: max(dt.datetime.now(dt.UTC), clock_start),
                                 batch_size=args.batch_size)
        total = time.perf_counter() - start
        assert report.sent == args.messages, report
        verdict = "meets" if report.sent / total >= 500 else "BELOW"
        print(f"  dispatch end to end           : {total:6.2f} s  {report.sent / total:7.0f} messages/s  "
              f"({verdict} the 500/s target; reference ~670/s raw SMTP)")
        engine.dispose()
    finally:
        server.terminate()
        server.wait()
        if schema:
            with make_engine(args.url).begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        tmp.cleanup()


if __name__ == "__main__":
    main()
