"""Outbox dispatch throughput to a local SMTP server: printed figures with their reference.

    python benchmarks/dispatch.py [--messages 2000] [--connections 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

The server is aiosmtpd's Sink handler in a subprocess (so it does not share this process's
GIL). Figures: claim + links + render alone; the reference, raw aiosmtplib over one
connection with the bytes already built; end-to-end dispatch (claim, render, send over the
pool of connections, record, pipelined) and its ratio to the reference. Goal: >= 0.85 of the
reference and >= 500 messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.common import database_option, free_port, start_smtp_sink  # noqa: E402
from config.settings import load_settings  # noqa: E402
from models.calendar import WorkingCalendar  # noqa: E402
from models.contacts import load_contacts  # noqa: E402
from models.db import make_engine, unit_of_work, upgrade  # noqa: E402
from models.links import LinkSigner  # noqa: E402
from models.registry import load_registry  # noqa: E402
from models.tables import Outbox, Task  # noqa: E402
from models.template import load_template  # noqa: E402
from notifications.mailer import make_mailer  # noqa: E402
from notifications.render import MailTemplates  # noqa: E402
from services.dispatch import RetryPolicy, claim_batch, dispatch_outbox  # noqa: E402
from services.launch import launch_cascade  # noqa: E402
from services.registry import sync_contacts, sync_registry  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
LAUNCH_DAY = dt.date(2023, 7, 20)
AT = dt.datetime(2023, 7, 20, 9, tzinfo=VN)
TEMPLATE_48 = ROOT / "templates" / "directives" / "48-KH-DDTLD-2023.yaml"


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
    """Claim + links + render of every row, rolled back; (seconds, envelopes on the wire)."""
    wires = []
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        while True:
            prepared = claim_batch(session=session, settings=settings,
                                   signer=LinkSigner(settings.secret_key), renderer=MailTemplates(),
                                   at=AT, limit=batch_size, policy=RetryPolicy())
            if not prepared:
                break
            wires += [p.wire for p in prepared]
        elapsed = time.perf_counter() - start
        session.rollback()
    return elapsed, wires


async def raw_smtp(wires, port: int) -> float:  # type: ignore[no-untyped-def]
    """The reference: aiosmtplib alone over one connection, the bytes already built."""
    import aiosmtplib

    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    start = time.perf_counter()
    for wire in wires:
        await client.sendmail(wire.sender, list(wire.recipients), wire.data)
    elapsed = time.perf_counter() - start
    await client.quit()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=3,
                        help="SMTP connections of the dispatcher (CASCADE_SMTP_CONNECTIONS)")
    database_option(parser)
    args = parser.parse_args()
    port = free_port()
    server = start_smtp_sink(port)
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
        "CASCADE_CONTACTS": os.path.join(tmp.name, "none.yaml"),
        "CASCADE_SMTP_CONNECTIONS": str(args.connections)})
    try:
        engine = prepare_database(url, args.messages, settings)
        backend = "PostgreSQL" if args.url else "SQLite"
        print(f"{args.messages} messages, batches of {settings.outbox_batch}, {backend}, aiosmtpd "
              f"Sink in a subprocess on 127.0.0.1:{port}")
        render_s, wires = render_only(engine, settings, settings.outbox_batch)
        print(f"  claim + links + render alone     : {render_s:6.2f} s  "
              f"{len(wires) / render_s:7.0f} /s  ({render_s / len(wires) * 1000:.2f} ms each)")
        raw_s = asyncio.run(raw_smtp(wires, port))
        raw = len(wires) / raw_s
        print(f"  reference: raw aiosmtplib, 1 conn: {raw_s:6.2f} s  {raw:7.0f} /s  (pre-built bytes)")
        clock_start = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        report = dispatch_outbox(engine=engine, mailer=make_mailer(settings), settings=settings,
                                 signer=LinkSigner(settings.secret_key), renderer=MailTemplates(),
                                 clock=lambda: max(dt.datetime.now(dt.UTC), clock_start))
        total = time.perf_counter() - start
        assert report.sent == args.messages, report
        rate = report.sent / total
        verdict = "meets" if rate >= 500 and rate >= 0.85 * raw else "BELOW"
        print(f"  dispatch end to end ({args.connections} conn.)  : {total:6.2f} s  {rate:7.0f} /s  "
              f"ratio {rate / raw:.2f} of the reference ({verdict} >= 0.85 and >= 500/s)")
        engine.dispose()
    finally:
        server.kill()
        tmp.cleanup()
        if schema:
            with make_engine(args.url).begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
