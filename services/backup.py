"""Back up and restore a deployment: the database and the files directory in one archive.

The archive is a .tar.gz holding `manifest.json` (format, schema revision, database kind, row
counts per table, file count), the database, the files directory (`files/`: reported files and
kept documents, stored once per content) and what the reviews learned (`home/aliases.yaml`,
`home/local-bodies.yaml`).

- SQLite: an online, consistent copy through the sqlite3 backup API (`database/cascade.db`);
  writers may go on meanwhile.
- PostgreSQL: a logical dump through SQLAlchemy, every table read in one REPEATABLE READ
  transaction (one snapshot), one JSON line per row (`database/<table>.jsonl`). No pg_dump: no
  client binary whose version must match the server's; the schema is rebuilt on restore by the
  migrations at the same revision, then the rows are loaded and the id sequences moved past
  them.

A restore goes into an empty database only (a non-empty one needs `force`), at the schema
revision this program has; otherwise nothing is changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.db import current_revision, head_revision, upgrade

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_ENTRY = "database/cascade.db"
HOME_FILES = ("aliases.yaml", "local-bodies.yaml")
# what makes a database "not empty": anything a user created (init alone fills the registry)
USER_TABLES = ("directive", "task", "user_account")
SKIPPED = ("alembic_version",)


class BackupError(ValueError):
    """The backup or restore cannot go on; the message says why, nothing was changed."""


@dataclass(frozen=True)
class Summary:
    archive: Path
    dialect: str
    revision: str
    tables: dict[str, int]
    files: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _tables(engine: Engine) -> list[sa.Table]:
    """The database's tables (reflected: every table the migrations made), in an order rows can
    be loaded in: a table after those its NOT NULL foreign keys point to, and after those its
    nullable ones point to unless they form a cycle (cascade -> task -> assignment -> cascade),
    which the loader breaks by setting such a column once both tables are in."""
    meta = sa.MetaData()
    meta.reflect(engine)
    left = {name: t for name, t in meta.tables.items() if name not in SKIPPED}
    order: list[sa.Table] = []

    def targets(table: sa.Table, nullable: bool) -> set[str]:
        return {fk.column.table.name for c in table.columns for fk in c.foreign_keys
                if (nullable or not c.nullable) and fk.column.table is not table}

    while left:
        ready = [t for t in left.values() if not targets(t, True) & left.keys()] or \
                [t for t in left.values() if not targets(t, False) & left.keys()]
        if not ready:
            raise BackupError(f"không xếp được thứ tự nạp các bảng {', '.join(sorted(left))}")
        first = min(ready, key=lambda t: t.name)
        order.append(first)
        del left[first.name]
    return order


def _counts(conn: sa.Connection, tables: list[sa.Table]) -> dict[str, int]:
    return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in tables}


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, (bytes, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        key, raw = next(iter(value.items()))
        if key == "$dt":
            return dt.datetime.fromisoformat(raw)
        if key == "$d":
            return dt.date.fromisoformat(raw)
        if key == "$b":
            return base64.b64decode(raw)
    return value


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, at: dt.datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(at.timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_tree(tar: tarfile.TarFile, folder: Path, prefix: str) -> int:
    count = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and ".incoming" not in path.parts:
            tar.add(path, f"{prefix}/{path.relative_to(folder).as_posix()}", recursive=False)
            count += 1
    return count


def backup(*, engine: Engine, files_dir: Path, home: Path, dest: Path, at: dt.datetime) -> Summary:
    """Write the archive `dest` (refused if it exists); the summary of what it holds."""
    revision = current_revision(engine)
    if revision is None:
        raise BackupError("cơ sở dữ liệu chưa được khởi tạo: không có gì để sao lưu")
    if dest.exists():
        raise BackupError(f"{dest} đã có: chọn tên tệp khác, không ghi đè một bản sao lưu")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        with tarfile.open(partial, "w:gz") as tar, tempfile.TemporaryDirectory() as tmp:
            if dialect == "sqlite":
                tables = _sqlite_copy(engine, Path(tmp) / "cascade.db")
                tar.add(Path(tmp) / "cascade.db", SQLITE_ENTRY)
            else:
                tables = _logical_dump(engine, tar, at)
            files = _add_tree(tar, files_dir, "files")
            for name in HOME_FILES:
                if (home / name).is_file():
                    tar.add(home / name, f"home/{name}")
            manifest = {"format": FORMAT, "revision": revision, "dialect": dialect,
                        "created_at": at.isoformat(), "tables": tables, "files": files}
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                       at)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return Summary(dest, dialect, revision, tables, files)


def _sqlite_copy(engine: Engine, target: Path) -> dict[str, int]:
    """An online consistent copy (sqlite3 backup API); the row counts of the copy."""
    source = sqlite3.connect(str(engine.url.database), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    copied = sa.create_engine(f"sqlite:///{target}")
    try:
        with copied.connect() as conn:
            return _counts(conn, _tables(copied))
    finally:
        copied.dispose()


def _logical_dump(engine: Engine, tar: tarfile.TarFile, at: dt.datetime) -> dict[str, int]:
    tables = _tables(engine)
    counts: dict[str, int] = {}
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
            conn.begin():
        for table in tables:
            lines = [json.dumps({k: _encode(v) for k, v in row._mapping.items()},
                                ensure_ascii=False)
                     for row in conn.execute(sa.select(table))]
            counts[table.name] = len(lines)
            _add_bytes(tar, f"database/{table.name}.jsonl", "\n".join(lines).encode(), at)
    return counts


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} không phải bản sao lưu của `cascade backup` (hoặc đã hỏng)")
    return manifest


def is_empty(engine: Engine) -> bool:
    """No database yet, or one nobody has worked in (no directive, task or account)."""
    if current_revision(engine) is None:
        return True
    existing = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        return all(conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() is None
                   for t in USER_TABLES if t in existing)


def restore(*, archive: Path, engine: Engine, files_dir: Path, home: Path,
            force: bool = False) -> Summary:
    """Restore `archive` into the database of `engine` and into `files_dir`/`home`."""
    manifest = read_manifest(archive)
    revision, dialect = manifest["revision"], manifest["dialect"]
    if revision != head_revision():
        raise BackupError(f"bản sao lưu ở phiên bản cơ sở dữ liệu {revision}, chương trình này "
                          f"cần {head_revision()}: khôi phục bằng đúng phiên bản chương trình đã "
                          "sao lưu, rồi chạy `cascade init` để nâng cấp")
    if dialect != engine.dialect.name:
        raise BackupError(f"bản sao lưu của cơ sở dữ liệu {dialect}, không khôi phục vào "
                          f"{engine.dialect.name}")
    if not force and not is_empty(engine):
        raise BackupError("cơ sở dữ liệu đích đã có dữ liệu (văn bản, nhiệm vụ hay tài khoản): "
                          "khôi phục vào một cơ sở dữ liệu trống, hoặc thêm --force để ghi đè")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        root = Path(tmp)
        if dialect == "sqlite":
            _restore_sqlite(engine, root / SQLITE_ENTRY)
        else:
            _restore_logical(engine, root / "database")
        files = _copy_tree(root / "files", files_dir)
        _copy_tree(root / "home", home)
    with engine.connect() as conn:
        tables = _counts(conn, _tables(engine))
    return Summary(archive, dialect, revision, tables, files)


def _copy_tree(source: Path, target: Path) -> int:
    count = 0
    if not source.is_dir():
        return 0
    for path in source.rglob("*"):
        if path.is_file():
            final = target / path.relative_to(source)
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f".{final.name}.restoring")
            tmp.write_bytes(path.read_bytes())
            os.replace(tmp, final)
            count += 1
    return count


def _restore_sqlite(engine: Engine, copy: Path) -> None:
    target = Path(str(engine.url.database)).absolute()
    engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    source, dest = sqlite3.connect(str(copy)), sqlite3.connect(str(staged))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)
    engine.dispose()


def _restore_logical(engine: Engine, folder: Path) -> None:
    """Schema by the migrations, then every table's rows in one transaction: a foreign key to a
    table not loaded yet (a cycle) is set once its rows are in; the id sequences follow."""
    upgrade(engine)
    tables = _tables(engine)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in tables)
        conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))  # empty, or --force
        loaded: set[str] = set()
        later: list[tuple[sa.Table, list[str], list[dict[str, Any]]]] = []
        for table in tables:
            path = folder / f"{table.name}.jsonl"
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            rows = [{k: _decode(v) for k, v in json.loads(line).items()}
                    for line in text.splitlines() if line]
            loaded.add(table.name)
            deferred = [c.name for c in table.columns for fk in c.foreign_keys
                        if fk.column.table.name not in loaded or fk.column.table is table]
            if rows:
                conn.execute(table.insert(), [{**r, **{c: None for c in deferred}} for r in rows])
                later.append((table, deferred, rows))
        for table, deferred, rows in later:
            for column in deferred:
                key = list(table.primary_key.columns)[0]
                for row in rows:
                    if row.get(column) is not None:
                        conn.execute(table.update().where(key == row[key.name])
                                     .values({column: row[column]}))
        for table in tables:
            if "id" in table.columns and isinstance(table.columns["id"].type, sa.Integer):
                conn.execute(sa.text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                    f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"), {"t": table.name})
