"""SQLite's writers take turns at a gate (models.write_gate): taken at BEGIN IMMEDIATE, given
back at the commit or rollback, shared by threads and processes, and a DatabaseBusy when a
writer keeps it past the busy timeout."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
import sqlalchemy as sa

from models.db import DatabaseBusy, make_engine, unit_of_work, writing
from models.write_gate import GateTimeout, WriteGate


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cascade.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    yield engine, tmp_path / "cascade.db-writer"
    engine.dispose()


def taken(path) -> bool:
    """Whether another writer (another open file, as another process would have) holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT n FROM counter").scalar_one()


def test_a_write_holds_the_gate_from_its_begin_to_its_commit(db):
    engine, gate = db
    with unit_of_work(engine) as session:
        assert not taken(gate)  # the session has not begun yet: nested work is not blocked
        session.execute(sa.text("UPDATE counter SET n = n + 1"))
        assert taken(gate)
    assert not taken(gate) and count(engine) == 1
    with writing(engine) as conn:
        conn.execute(sa.text("UPDATE counter SET n = n + 1"))
        assert taken(gate)
    assert not taken(gate) and count(engine) == 2


def test_a_failed_write_gives_the_gate_back(db):
    engine, gate = db
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        session.execute(sa.text("UPDATE counter SET n = n + 1"))
        raise RuntimeError("refused")
    with pytest.raises(RuntimeError), writing(engine) as conn:
        conn.execute(sa.text("UPDATE counter SET n = n + 1"))
        raise RuntimeError("refused")
    assert not taken(gate) and count(engine) == 0


def test_a_read_does_not_take_the_gate(db):
    engine, gate = db
    with unit_of_work(engine, write=False) as session:
        session.execute(sa.text("SELECT n FROM counter")).all()
        assert not taken(gate)


def test_a_writer_that_keeps_the_gate_makes_the_next_one_busy_and_nothing_is_written(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cascade.db'}", busy_seconds=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    other = os.open(tmp_path / "cascade.db-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)  # another process's writer
    try:
        with pytest.raises(DatabaseBusy), unit_of_work(engine) as session:
            session.execute(sa.text("UPDATE counter SET n = n + 1"))
    finally:
        os.close(other)
    assert count(engine) == 0
    with unit_of_work(engine) as session:  # the turn is free again, the thread lock too
        session.execute(sa.text("UPDATE counter SET n = n + 1"))
    assert count(engine) == 1
    engine.dispose()


def test_the_gate_waits_as_long_as_the_busy_timeout_then_gives_up(tmp_path):
    now = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    gate = WriteGate(tmp_path / "cascade.db", 10, clock=lambda: now[0], sleep=sleep)
    other = os.open(tmp_path / "cascade.db-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    with pytest.raises(GateTimeout):
        gate.acquire("me")
    assert 10 < now[0] < 10.01 and max(pauses) == 0.002  # tried every 2 ms at most
    os.close(other)
    gate.acquire("me")  # nothing was left held by the failed wait
    gate.release("someone else")  # another connection's commit: no effect
    assert taken(tmp_path / "cascade.db-writer")
    gate.release("me")
    assert not taken(tmp_path / "cascade.db-writer")


def test_threads_take_turns_and_no_increment_is_lost(db):
    engine, _ = db

    def work() -> None:
        for _ in range(25):
            with unit_of_work(engine) as session:
                n = session.execute(sa.text("SELECT n FROM counter")).scalar_one()
                session.execute(sa.text("UPDATE counter SET n = :n"), {"n": n + 1})

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(engine) == 200
