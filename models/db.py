"""Engines, units of work and migrations: the one place that talks to the database driver.

SQLite runs in WAL mode with a busy timeout; write transactions start with BEGIN IMMEDIATE so
two writers queue instead of failing on a lock upgrade, and they queue at a gate
(models.write_gate) that hands the turn over as soon as it is free.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:  # SQLModel (and Pydantic) stay out of the light read path
    from sqlmodel import Session

    from models.write_gate import WriteGate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be reached or is not initialised; the message says what to do."""


class DatabaseBusy(DatabaseError):
    """Another writer held the database longer than the busy timeout; nothing was written."""

    def __init__(self) -> None:
        super().__init__("cơ sở dữ liệu đang bận (một tiến trình khác đang ghi), chưa ghi gì: thử "
                         "lại sau ít phút")


class DatabaseUnreachable(DatabaseError):
    """The database did not answer (server stopped, connection refused or cut, file that cannot
    be opened); nothing was written, a later retry may pass."""

    def __init__(self) -> None:
        super().__init__("không kết nối được cơ sở dữ liệu (máy chủ không trả lời hoặc tệp không "
                         "mở được), chưa ghi gì: thử lại sau ít phút")


# SQLite: the lock was not released in time; PostgreSQL: lock_timeout, a serialisation
# failure or a deadlock (the transaction was rolled back, a retry may pass).
_BUSY_SQLITE = ("database is locked", "database table is locked", "database schema is locked")
_BUSY_PG = {"55P03", "40001", "40P01", "57014"}


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy (worth a later retry), not broken."""
    if not isinstance(exc, sa.exc.OperationalError | sa.exc.DBAPIError):
        return False
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _BUSY_PG:
        return True
    return any(text in str(orig).lower() for text in _BUSY_SQLITE)


# PostgreSQL: connection exceptions (class 08), the server shutting down or starting up, too
# many connections; SQLite: a file that cannot be opened or read.
_DOWN_PG = ("08", "57P01", "57P02", "57P03", "53300")
_DOWN_SQLITE = ("unable to open database file", "disk i/o error")


def is_unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached (worth a later retry)."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return str(state).startswith(_DOWN_PG)
    if type(orig).__module__.startswith("psycopg"):  # no SQLSTATE: no server answered at all
        return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)
    return any(text in str(orig).lower() for text in _DOWN_SQLITE)


def _driver_error(exc: BaseException) -> DatabaseError | None:
    """DatabaseBusy or DatabaseUnreachable for a driver error that a retry may cure."""
    if is_busy(exc):
        return DatabaseBusy()
    if is_unreachable(exc):
        return DatabaseUnreachable()
    return None


def make_engine(url: str, *, echo: bool = False, busy_seconds: int = 10) -> Engine:
    """An engine whose writers wait at most `busy_seconds` for another writer's lock."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo, connect_args={"timeout": busy_seconds})
        gate = None
        if path and path != ":memory:":
            from models.write_gate import WriteGate

            gate = WriteGate(Path(path).resolve(), busy_seconds)
        _configure_sqlite(engine, busy_seconds, gate)
        return engine
    engine = sa.create_engine(url, echo=echo, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = '{int(busy_seconds)}s'")
        dbapi_conn.commit()

    return engine


def _configure_sqlite(engine: Engine, busy_seconds: int, gate: WriteGate | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_seconds) * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode != "IMMEDIATE" or gate is None:
            conn.exec_driver_sql(f"BEGIN {mode}")
            return
        from models.write_gate import GateTimeout

        dbapi_conn = conn.connection  # the pool's proxy, as do_commit and do_rollback get it
        try:
            gate.acquire(dbapi_conn)
        except GateTimeout:
            raise DatabaseBusy() from None
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.release(dbapi_conn)
            raise

    if gate is not None:  # the writer's turn ends when its transaction does
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_conn: Any) -> None:
            try:
                commit(dbapi_conn)
            finally:
                gate.release(dbapi_conn)

        def do_rollback(dbapi_conn: Any) -> None:
            try:
                rollback(dbapi_conn)
            finally:
                gate.release(dbapi_conn)

        dialect.do_commit = do_commit  # type: ignore[method-assign, assignment]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign, assignment]


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    from sqlmodel import Session

    bind = _immediate(engine) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            if write:
                session.commit()
        except BaseException as exc:
            session.rollback()
            known = _driver_error(exc)
            if known is not None:
                raise known from exc
            raise


def insert_ignoring_conflicts(session: Session, table: sa.Table, rows: list[dict[str, Any]],
                              *, key: str = "key", returning: Sequence[str] = ()) -> list[Any]:
    """INSERT ... ON CONFLICT (key) DO NOTHING for many rows; the inserted rows' `returning`.

    PostgreSQL: many rows go by COPY into a temporary table and one INSERT … SELECT, a few
    as one array per column (`unnest`) in a single statement. The driver's executemany with
    RETURNING splits into a statement per page, arrays are bound value by value in Python
    (some 14 µs a value), and a temporary table costs some 30 ms to create: each is best in
    its range. SQLite takes an executemany. Every row has the keys of the first."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        if len(rows) >= _COPY_FROM:
            return _pg_copy_insert(session, table, rows, key, returning)
        return _pg_unnest_insert(session, table, rows, key, returning)
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(table).on_conflict_do_nothing(index_elements=[key])
    if not returning:
        session.execute(stmt, rows)
        return []
    returning_stmt = stmt.returning(*(table.c[name] for name in returning))
    out: list[Any] = []
    for start in range(0, len(rows), 1000):
        out += session.execute(returning_stmt, rows[start:start + 1000]).all()
    return out


def _pg_unnest_insert(session: Session, table: sa.Table, rows: list[dict[str, Any]], key: str,
                      returning: Sequence[str]) -> list[Any]:
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    arrays, params = [], {}
    converters = _converters(table, names, dialect)
    for i, (name, convert) in enumerate(zip(names, converters, strict=True)):
        values = [row[name] for row in rows]
        params[f"p{i}"] = values if convert is None else [convert(v) for v in values]
        column_type = table.c[name].type
        sql_type = "json" if isinstance(column_type, sa.JSON) else column_type.compile(dialect=dialect)
        arrays.append(f"CAST(:p{i} AS {sql_type}[])")
    sql = _insert_sql(table, names, f"SELECT * FROM unnest({', '.join(arrays)})", key, returning,
                      quote)
    result = session.execute(sa.text(sql), params)
    return list(result.all()) if returning else []


def _insert_sql(table: sa.Table, names: list[str], source: str, key: str,
                returning: Sequence[str], quote: Any) -> str:
    """INSERT INTO table (names) <source> ON CONFLICT (key) DO NOTHING [RETURNING ...]."""
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) {source} "
           f"ON CONFLICT ({quote(key)}) DO NOTHING")
    return sql + " RETURNING " + ", ".join(quote(n) for n in returning) if returning else sql


def _converters(table: sa.Table, names: list[str], dialect: Any) -> list[Any]:
    """Per column, what turns a value into what the driver takes (None: as it is): JSON as
    text, and the types' own bind processors (UTCDateTime: aware UTC)."""
    import json

    def to_json(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    return [to_json if isinstance(table.c[n].type, sa.JSON)
            else table.c[n].type.bind_processor(dialect) for n in names]


def _pg_copy_insert(session: Session, table: sa.Table, rows: list[dict[str, Any]], key: str,
                    returning: Sequence[str]) -> list[Any]:
    """COPY the rows into a temporary table of the same columns, then one INSERT … SELECT …
    ON CONFLICT DO NOTHING (psycopg writes COPY rows in C)."""
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    convert = _converters(table, names, dialect)
    columns = ", ".join(quote(n) for n in names)
    staging = quote(f"_staging_{table.name}")  # dropped before the call returns
    raw: Any = session.connection().connection.driver_connection  # psycopg, in this transaction
    with raw.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS "
                       f"SELECT {columns} FROM {quote(table.name)} WITH NO DATA")
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] if f is None else f(row[n])
                                for n, f in zip(names, convert, strict=True)])
        cursor.execute(_insert_sql(table, names, f"SELECT {columns} FROM {staging}", key,
                                   returning, quote))
        out = list(cursor.fetchall()) if returning else []
        cursor.execute(f"DROP TABLE {staging}")
    return out


_COPY_FROM = 500  # rows: below, the temporary table costs more than the arrays


_IMMEDIATE: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def _immediate(engine: Engine) -> Engine:
    """`engine` with BEGIN IMMEDIATE on SQLite (made once: an option engine costs 0.2 ms)."""
    found = _IMMEDIATE.get(engine)
    if found is None:
        found = _IMMEDIATE[engine] = engine.execution_options(sqlite_begin="IMMEDIATE")
    return found


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A Core connection in one write transaction (BEGIN IMMEDIATE on SQLite): committed on
    success, rolled back on any error; DatabaseBusy when another writer held the lock."""
    with _busy_as_message(), _immediate(engine).begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only (Core, no ORM session), rolled back at the end."""
    with _busy_as_message(), engine.connect() as conn:
        yield conn
        conn.rollback()


@contextmanager
def _busy_as_message() -> Iterator[None]:
    """A driver's "busy" (a lock not released in time) becomes DatabaseBusy, a database that
    does not answer DatabaseUnreachable."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        known = _driver_error(exc)
        if known is not None:
            raise known from exc
        raise


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_MIGRATION_LOCK = 7_310_412  # a PostgreSQL advisory lock key for schema changes
_REGISTRY_LOCK = 7_310_413  # ... and for bringing the registry into the database


def lock_registry(session: Session) -> None:
    """Serialise registry syncs (two `cascade init`, two first launches): on PostgreSQL an
    advisory lock until the transaction ends; SQLite writers are serialised already."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({_REGISTRY_LOCK})")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; data already there is kept.

    Two upgrades at once are serialised: the second waits for the first (an advisory lock on
    PostgreSQL, a write transaction from the start on SQLite) and then finds nothing to do."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, read without importing Alembic (CLI start-up)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str:
    """The newest migration: the one revision no other revision revises."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if m := re.search(r'^revision = "([^"]+)"', text, re.M):
            revisions.add(m.group(1))
        if m := re.search(r'^down_revision = "([^"]+)"', text, re.M):
            parents.add(m.group(1))
    heads = revisions - parents
    if len(heads) != 1:
        raise DatabaseError(f"migrations/versions must have exactly one head, found {heads}")
    return heads.pop()


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database that `cascade init` has not brought up to date."""
    try:
        rev = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"không kết nối được cơ sở dữ liệu: {exc.orig}") from None
    if rev is None:
        raise DatabaseError("cơ sở dữ liệu chưa được khởi tạo: chạy `cascade init` trước")
    if rev != head_revision():
        raise DatabaseError(f"cơ sở dữ liệu ở phiên bản {rev}, cần {head_revision()}: "
                            "chạy `cascade init` để nâng cấp")
