"""What the benchmarks share: a fresh database per figure (a SQLite file, or a PostgreSQL
schema of its own that is dropped afterwards), migrated, with the registry loaded."""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from models.db import make_engine, unit_of_work, upgrade  # noqa: E402
from models.registry import load_registry  # noqa: E402
from services.registry import sync_registry  # noqa: E402

REGISTRY = load_registry(ROOT / "config" / "bodies.yaml")


class Database:
    """A fresh database for one figure: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, base_url: str | None):
        self.base_url, self.schema, self.tmp = base_url, None, None

    def __enter__(self):
        if self.base_url is None:
            self.tmp = tempfile.TemporaryDirectory()
            self.url = f"sqlite:///{self.tmp.name}/bench.db"
        else:
            self.schema = f"bench_{uuid.uuid4().hex[:10]}"
            with make_engine(self.base_url).begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
            sep = "&" if "?" in self.base_url else "?"
            self.url = f"{self.base_url}{sep}options=-csearch_path%3D{self.schema}"
        self.engine = make_engine(self.url)
        upgrade(self.engine)
        with unit_of_work(self.engine) as session:
            sync_registry(session=session, registry=REGISTRY)
        return self

    def __exit__(self, *exc):
        self.engine.dispose()
        if self.schema:
            with make_engine(self.base_url).begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
        if self.tmp:
            self.tmp.cleanup()


def insert_in_batches(conn, table, rows, size: int = 50_000) -> None:  # type: ignore[no-untyped-def]
    """Bulk-insert an iterable of row dicts, `size` at a time (bounded memory for 1M rows)."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            conn.execute(sa.insert(table), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(table), batch)


def database_option(parser) -> None:  # type: ignore[no-untyped-def]
    """--database-url (alias --url): PostgreSQL; without it, a fresh SQLite file."""
    parser.add_argument("--database-url", "--url", dest="url", default=None,
                        help="PostgreSQL URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/"
                             "test (a schema of its own, dropped after); default: a SQLite file")


def backend_name(url: str | None) -> str:
    return "PostgreSQL" if url else "SQLite (WAL)"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_sink(port: int):  # type: ignore[no-untyped-def]
    """aiosmtpd's Sink handler in a subprocess (not sharing the GIL of what it measures)."""
    import socket
    import subprocess
    import time

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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
