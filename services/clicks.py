"""A link click in four statements (two on PostgreSQL): the hot path of `POST /l/{token}`.

The general path (services.links.use_link then services.actions.record_action) reads the link,
the task, its cascade and its directive through the ORM, about seventeen statements a click.
Most clicks are plain transitions (acknowledge, start, ask for an extension), and for those this
module does, in the caller's write transaction:

1. the guarded UPDATE that spends the token (`used_at IS NULL`, not expired), returning the link
   and, from one scalar subquery, everything the check and the confirmation page need (task,
   cascade, directive, assignment, the two body names);
2. the guarded UPDATE of the task (its version and status as read);
3. the INSERT of the audit event;
4. the INSERT of the mail the event implies, if any.

On PostgreSQL, 2 to 4 are one statement (a data-modifying WITH): one round trip.

The rules are the general path's own (models.status, services.actions.check_dates,
services.notify.follow_up_row). Whatever this path does not handle, or anything it would refuse
(a spent or unknown link, a transition no longer allowed, a date out of range, a lost race, a
report, an acceptance, a reminder), raises NotQuick: the caller rolls the transaction back and
takes the general path, which gives the same answer and the same messages as ever.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.links import LinkSigner, token_hash
from models.mail import LINK_ONLY_ACTIONS
from models.registry import EXTERNAL_KIND
from models.status import TERMINAL, Role, TaskStatus, find_transition
from models.tables import Outbox, Task, TaskEvent, table_of
from models.types import UTCDateTime
from models.vocabulary import business_date
from services.actions import (
    DATE_ACTIONS,
    ActionRefused,
    ActionResult,
    actor_kinds,
    check_dates,
    check_note,
    task_change,
)
from services.links import EMAIL_LINK
from services.notify import follow_up_row, task_state
from services.report_rows import REVIEWS


class NotQuick(Exception):
    """This click needs the general path; the caller rolls its transaction back."""


@dataclass(frozen=True)
class TaskFacts:
    """A task as a link page shows it, with its cascade, directive and assignment."""

    id: int
    body_id: str
    role: str
    status: str
    version: int
    due_on: dt.date | None
    requested_due_on: dt.date | None
    closed_at: dt.datetime | None
    coordinator_id: str
    directive_number: str
    directive_kind: str
    directive_title: str
    issued_on: dt.date
    ref: str
    task_text: str
    body_name: str
    coordinator_name: str
    body_kind: str | None = None
    deadline_rule: str | None = None  # the item's rule ('continuous': a standing task)


@dataclass(frozen=True)
class Click:
    action: str
    result: ActionResult
    task: TaskFacts  # as it is after the click


def click(conn: Connection, *, signer: LinkSigner, token: str, at: dt.datetime, tz: dt.tzinfo,
          note: str | None, until: dt.date | None) -> Click:
    """Spend `token` and apply its action, in at most four statements; NotQuick otherwise.

    `until`: the date the form carried, if any (used only by the actions that take one)."""
    if signer.problem(token) is not None:
        raise NotQuick
    link = _spend(conn, token, at)
    if link is None:
        raise NotQuick  # unknown, spent or expired: the general path says which
    action, actor = link["action"], link["actor"]
    if action == "report" or action in LINK_ONLY_ACTIONS or action in REVIEWS:
        raise NotQuick  # files and figures, reminders, and reviews have their own writes
    task = _facts(link["facts"])
    # a link sent to a supervisor in an escalation acts for the coordinator (services.links)
    acting_for = None if actor in (task.body_id, task.coordinator_id) else task.coordinator_id
    kinds = actor_kinds(acting_for or actor, task.body_id, task.coordinator_id)
    row = find_transition(action, Role(task.role), TaskStatus(task.status))
    if row is None or row.target in TERMINAL or not kinds & row.actors:
        raise NotQuick
    try:
        check_note(note)
        extra = check_dates(row, task, until if action in DATE_ACTIONS else None,
                            business_date(at, tz), task.issued_on)
    except ActionRefused:
        raise NotQuick from None
    values, data = task_change(row, extra, at=at, due_on=task.due_on)
    del values["version"]  # bumped by the statement
    guard = {"task_id": task.id, "read_version": task.version, "read_status": task.status}
    event = {"at": at, "actor": actor, "channel": EMAIL_LINK, "action": action,
             "from_status": task.status, "to_status": row.target.value, "note": note,
             "data": data}
    after = replace(task, status=row.target.value, version=task.version + 1,
                    due_on=extra.get("due_on", task.due_on),
                    requested_due_on=extra.get("requested_due_on", task.requested_due_on))
    mail = follow_up_row(action=action, to_status=row.target.value, actor=actor,
                         task_id=task.id, body_id=task.body_id,
                         coordinator_id=task.coordinator_id, event_id=0, at=at,
                         body_outside=task.body_kind == EXTERNAL_KIND,
                         state=task_state(status=after.status, due_on=after.due_on,
                                          requested_due_on=after.requested_due_on,
                                          version=after.version))
    if conn.dialect.name == "postgresql":
        event_id = _write_at_once(conn, guard, values, event, mail)
    else:
        event_id = _write_in_turn(conn, guard, values, event, mail)
    source = TaskStatus(task.status)
    return Click(action, ActionResult(task.id, action, source, row.target, event_id), after)


def _write_in_turn(conn: Connection, guard: dict, values: dict, event: dict,
                   mail: dict | None) -> int:
    """The task's guarded UPDATE, the event, the mail: three statements (SQLite)."""
    if conn.execute(_UPDATE_TASK, {**guard, **values}).rowcount != 1:
        raise NotQuick  # someone else changed the task since the token was spent
    event_id = conn.execute(_INSERT_EVENT, {"task_id": guard["task_id"], **event}).scalar_one()
    if mail is not None:
        conn.execute(_INSERT_MAIL, {**mail, "event_id": event_id,
                                    "key": mail["key"].removesuffix(":0") + f":{event_id}"})
    return int(event_id)


def _write_at_once(conn: Connection, guard: dict, values: dict, event: dict,
                   mail: dict | None) -> int:
    """The same three writes as one statement (PostgreSQL: data-modifying WITH), one round
    trip; nothing is written when the task's guard fails."""
    statement = _writes(tuple(sorted(values)), mail is not None)
    params = {**guard, **{f"set_{k}": v for k, v in values.items()},
              **{f"event_{k}": v for k, v in event.items()}}
    if mail is not None:
        params |= {f"mail_{k}": v for k, v in mail.items() if k not in ("key", "event_id")}
        params["mail_key"] = mail["key"].removesuffix("0")
    event_id = conn.execute(statement, params).scalar()
    if event_id is None:
        raise NotQuick  # someone else changed the task since the token was spent
    return int(event_id)


@functools.cache
def _writes(columns: tuple[str, ...], with_mail: bool) -> sa.Select[Any]:
    """WITH changed AS (UPDATE task ... RETURNING id), event AS (INSERT ... SELECT FROM
    changed RETURNING id)[, mail AS (INSERT INTO outbox ... SELECT FROM event)] SELECT id FROM
    event, with bound parameters named set_*, event_*, mail_*."""
    t, e, o = _tasks, _events, table_of(Outbox)
    changed = (sa.update(t)
               .where(t.c.id == sa.bindparam("task_id"),
                      t.c.version == sa.bindparam("read_version"),
                      t.c.status == sa.bindparam("read_status"))
               .values(version=t.c.version + 1,
                       **{c: sa.bindparam(f"set_{c}", type_=t.c[c].type) for c in columns})
               .returning(t.c.id).cte("changed"))
    names = ["at", "actor", "channel", "action", "from_status", "to_status", "note", "data"]
    event = (sa.insert(e)
             .from_select(["task_id", *names], sa.select(
                 changed.c.id, *(sa.bindparam(f"event_{n}", type_=e.c[n].type) for n in names)))
             .returning(e.c.id).cte("event"))
    final = sa.select(event.c.id)
    if with_mail:
        fields = ["kind", "task_id", "body_id", "status", "attempts", "next_attempt_at",
                  "created_at", "payload"]
        mail = (sa.insert(o)
                .from_select([*fields, "event_id", "key"], sa.select(
                    *(sa.bindparam(f"mail_{f}", type_=o.c[f].type) for f in fields),
                    event.c.id,
                    sa.bindparam("mail_key", type_=sa.String) + sa.cast(event.c.id, sa.String)))
                .cte("mail"))
        final = final.add_cte(mail)
    return final


# Built once: a click passes only parameters (the columns it sets are the keys it passes).
_tasks, _events = table_of(Task), table_of(TaskEvent)
_UPDATE_TASK = (sa.update(_tasks)
                .where(_tasks.c.id == sa.bindparam("task_id"),
                       _tasks.c.version == sa.bindparam("read_version"),
                       _tasks.c.status == sa.bindparam("read_status"))
                .values(version=_tasks.c.version + 1))
_INSERT_EVENT = sa.insert(_events).returning(_events.c.id)
_INSERT_MAIL = sa.insert(table_of(Outbox))

# The fields of TaskFacts and where each is read, for the subquery of the token's UPDATE.
_FACTS = {
    "id": "t.id", "body_id": "t.body_id", "role": "t.role", "status": "t.status",
    "version": "t.version", "due_on": "t.due_on", "requested_due_on": "t.requested_due_on",
    "closed_at": "t.closed_at", "coordinator_id": "c.coordinator_id",
    "directive_number": "d.number", "directive_kind": "d.kind", "directive_title": "d.title",
    "issued_on": "d.issued_on", "ref": "a.ref", "task_text": "a.task_text",
    "body_name": "coalesce(b.name, t.body_id)", "body_kind": "b.kind",
    "coordinator_name": "coalesce(cb.name, c.coordinator_id)", "deadline_rule": "a.deadline_rule",
}
# Written out: SQLAlchemy names columns without their table inside an UPDATE's RETURNING,
# which makes the joins of a subquery there ambiguous. SQLite allows no other table in
# RETURNING, but a subquery may read any.
_SPEND = """
UPDATE link_token SET used_at = :at
WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :at
RETURNING action, actor, (
    SELECT CAST({build}({pairs}) AS TEXT)
    FROM task t
    JOIN "cascade" c ON c.id = t.cascade_id
    JOIN directive d ON d.id = c.directive_id
    JOIN assignment a ON a.id = t.assignment_id
    LEFT JOIN body b ON b.id = t.body_id
    LEFT JOIN body cb ON cb.id = c.coordinator_id
    WHERE t.id = link_token.task_id) AS facts
"""


@functools.cache
def _spend_statement(dialect: str) -> sa.TextClause:
    build = "json_build_object" if dialect == "postgresql" else "json_object"
    pairs = ", ".join(f"'{name}', {column}" for name, column in _FACTS.items())
    return sa.text(_SPEND.format(build=build, pairs=pairs)).bindparams(
        sa.bindparam("at", type_=UTCDateTime()), sa.bindparam("hash"))


def _spend(conn: Connection, token: str, at: dt.datetime) -> Any:
    """Spend the token if unused and unexpired: its action, actor and TaskFacts (JSON)."""
    return conn.execute(_spend_statement(conn.dialect.name),
                        {"at": at, "hash": token_hash(token)}).mappings().first()


def _facts(text: str | None) -> TaskFacts:
    if text is None:
        raise NotQuick  # a link to a task that is gone (cannot happen with the foreign keys)
    raw = json.loads(text)
    day = {k: dt.date.fromisoformat(raw[k]) if raw[k] else None
           for k in ("due_on", "requested_due_on", "issued_on")}
    closed = raw["closed_at"]
    if closed:
        closed = dt.datetime.fromisoformat(closed)
        closed = closed.replace(tzinfo=dt.UTC) if closed.tzinfo is None else closed
    return TaskFacts(**{**raw, **day, "closed_at": closed or None})
