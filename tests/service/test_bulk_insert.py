"""insert_ignoring_conflicts: a few rows (one statement of arrays on PostgreSQL) and many (COPY
through a temporary table) insert the new rows once, skip the keys already there, return the
new rows' ids and keep JSON, text with accents and aware datetimes as they were."""

import datetime as dt

import pytest
import sqlalchemy as sa

from models.db import insert_ignoring_conflicts, unit_of_work
from models.tables import Outbox, table_of

AT = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _rows(keys):
    return [{"key": k, "kind": "reminder", "task_id": None, "body_id": "ldld_ha_noi",
             "status": "pending", "attempts": 0, "next_attempt_at": AT, "created_at": AT,
             "payload": {"note": "Nhắc việc «hạn 30/11»", "level": 2, "keys": [k]}}
            for k in keys]


@pytest.mark.parametrize("many", [5, 700])  # below and above the COPY threshold
def test_new_rows_once_with_their_ids_and_values(engine, many):
    outbox = table_of(Outbox)
    with unit_of_work(engine) as session:
        first = insert_ignoring_conflicts(session, outbox, _rows([f"a{i}" for i in range(3)]),
                                          returning=("id", "key"))
    keys = [f"a{i}" for i in range(many)]  # a0..a2 are there already
    with unit_of_work(engine) as session:
        again = insert_ignoring_conflicts(session, outbox, _rows(keys), returning=("id", "key"))
        insert_ignoring_conflicts(session, outbox, _rows(["a1", "z"]))  # no returning
    assert sorted(k for _, k in first) == ["a0", "a1", "a2"]
    assert sorted(k for _, k in again) == sorted(keys[3:])
    with engine.connect() as conn:
        stored = conn.execute(sa.select(outbox.c.id, outbox.c.key, outbox.c.payload,
                                        outbox.c.next_attempt_at)).all()
    assert len(stored) == many + 1  # every key once, and "z"
    ids = {key: oid for oid, key, _, _ in stored}
    assert all(ids[key] == oid for oid, key in first + again)
    row = next(r for r in stored if r.key == keys[-1])
    assert row.payload == {"note": "Nhắc việc «hạn 30/11»", "level": 2, "keys": [keys[-1]]}
    when = row.next_attempt_at
    assert (when if when.tzinfo else when.replace(tzinfo=dt.UTC)) == AT
