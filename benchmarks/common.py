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


NICE: list[str] = []


def start_smtp_sink(port: int):  # type: ignore[no-untyped-def]
    """aiosmtpd's Sink handler in a subprocess (not sharing the GIL of what it measures)."""
    import socket
    import subprocess
    import time

    proc = subprocess.Popen([*NICE, sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
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


_CHILD = """
import gc, importlib, json, sys
sys.path.insert(0, {root!r})
module, name = {target!r}.split(":")
function = getattr(importlib.import_module(module), name)


def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field)) / 1024


gc.collect()
with open("/proc/self/clear_refs", "w") as refs:  # the peak (VmHWM) starts again from now
    refs.write("5")
before = status("VmRSS:")
result = function(**json.loads(sys.argv[1]))
print(json.dumps({{**result, "base_mb": before, "peak_mb": status("VmHWM:")}}))
"""


def in_child(target: str, **kwargs: object) -> dict:
    """Run `module:function(**kwargs)` in a fresh interpreter and return the dict it returns,
    with the process's resident memory after its imports (`base_mb`) and its peak while the
    function ran (`peak_mb`, Linux's VmHWM reset before the call): the difference is what the
    work needed."""
    import json
    import subprocess

    code = _CHILD.format(root=str(ROOT), target=target)
    done = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def paired(commands: dict[str, list[str]], rounds: int, env: dict[str, str] | None = None
           ) -> dict[str, float]:
    """Median wall time (s) of each command line, run in turn `rounds` times (interleaved, so
    that a noisy moment hits all of them alike)."""
    import statistics
    import subprocess
    import time

    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
            walls[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in walls.items()}
