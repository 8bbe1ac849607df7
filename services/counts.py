"""The counts of the dashboard and the list of directives that need every task: the colours
of each cascade and the overdue tasks of each body, counted in SQL and kept per process.

Every change of a task writes an audit event and every new task has a new id, so the last
event id and the last task id say what changed since the counts were made: only the
cascades whose tasks have events or ids past those marks are counted again (one grouped
query over their rows). A new day or a new near-due cut-off moves every colour: then every
cascade is counted again.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.status import OPEN, Colour
from models.tables import Body, Task, TaskEvent, select_columns, table_of
from services.board import ColourClock, colour_counts

OPEN_VALUES = [s.value for s in OPEN]
# past this many changed cascades, one pass over every task is cheaper than a query each
RECOUNT_ALL_FROM = 40


@dataclass
class Counts:
    by_colour: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_colour.values())

    def get(self, colour: str) -> int:
        return self.by_colour.get(colour, 0)

    @property
    def finished(self) -> int:
        return sum(self.get(c) for c in (Colour.DONE_ON_TIME, Colour.DONE_LATE, Colour.CANCELLED))

    def add(self, colour: str, n: int) -> None:
        self.by_colour[colour] = self.by_colour.get(colour, 0) + n


def cascade_counts(session: Session, clock: ColourClock,
                   only: Collection[int] | None = None) -> dict[int, Counts]:
    """Counts by colour of every cascade, or of the cascades `only` (one grouped pass over an
    index)."""
    columns, read = colour_counts(clock, session.get_bind().dialect.name, col(Task.cascade_id))
    query = select_columns(*columns).group_by(col(Task.cascade_id), col(Task.status))
    if only is not None:
        query = query.where(col(Task.cascade_id).in_(list(only)))
    per: dict[int, Counts] = {cascade_id: Counts() for cascade_id in only or ()}
    for cascade_id, *rest in session.execute(query).all():
        counts = per.setdefault(cascade_id, Counts())
        for hue, n in read(*rest).items():
            if n:
                counts.add(hue, n)
    return per


def overdue_counts(session: Session, clock: ColourClock,
                   only: Collection[int] | None = None) -> dict[int, Counter[str]]:
    """Per cascade, its overdue open tasks per body (on the (status, due_on, body) index)."""
    query = (select_columns(Task.cascade_id, Task.body_id, sa.func.count())
             .where(col(Task.status).in_(OPEN_VALUES), col(Task.due_on) < clock.today)
             .group_by(col(Task.cascade_id), col(Task.body_id)))
    if only is not None:
        query = query.where(col(Task.cascade_id).in_(list(only)))
    per: dict[int, Counter[str]] = {cascade_id: Counter() for cascade_id in only or ()}
    for cascade_id, body_id, n in session.execute(query).all():
        per.setdefault(cascade_id, Counter())[body_id] += int(n)
    return per


def most_overdue(session: Session, per: dict[int, Counter[str]],
                 limit: int = 10) -> list[tuple[str, str, int]]:
    """The bodies with the most overdue tasks: (id, name, tasks), most first, then by name."""
    total: Counter[str] = Counter()
    for bodies in per.values():
        total.update(bodies)
    if not total:
        return []
    names = dict(session.execute(select(Body.id, Body.name)
                                 .where(col(Body.id).in_(list(total)))).all())
    ranked = sorted(total.items(), key=lambda item: (-item[1], names.get(item[0], item[0])))
    return [(b, names.get(b, b), n) for b, n in ranked[:limit]]


def changed_cascades(session: Session, *, after_event: int, after_task: int) -> set[int]:
    """The cascades with an event or a task past these ids."""
    t, e = table_of(Task), table_of(TaskEvent)
    by_event = (sa.select(t.c.cascade_id).join(e, e.c.task_id == t.c.id)
                .where(e.c.id > after_event))
    by_task = sa.select(t.c.cascade_id).where(t.c.id > after_task)
    return set(session.execute(sa.union(by_event, by_task)).scalars().all())


class CountsCache:
    """The colours per cascade and the overdue tasks per body, kept until tasks change and
    then counted again for the changed cascades only. One per process, shared by its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None  # the day, the cut-off, the database
        self._marks: tuple[int, int] = (0, 0)  # last event id, last task id counted
        self._colours: dict[int, Counts] = {}
        self._overdue: dict[int, Counter[str]] = {}
        self.recounts = 0
        self.last_recount: set[int] | None = None  # the cascades last counted (None: all)

    def get(self, session: Session, clock: ColourClock) -> tuple[dict[int, Counts],
                                                                 dict[int, Counter[str]]]:
        # the marks are read before counting: a change made meanwhile is counted again later
        marks = (session.execute(select(sa.func.max(TaskEvent.id))).scalar() or 0,
                 session.execute(select(sa.func.max(Task.id))).scalar() or 0)
        key = (clock.today, clock.near_cutoff, str(session.get_bind().engine.url))
        with self._lock:
            if key != self._key:
                self._recount(session, clock, None)
            elif marks != self._marks:
                changed = changed_cascades(session, after_event=self._marks[0],
                                           after_task=self._marks[1])
                self._recount(session, clock, changed if len(changed) < RECOUNT_ALL_FROM else None)
            self._key, self._marks = key, marks
            return dict(self._colours), dict(self._overdue)

    def _recount(self, session: Session, clock: ColourClock, only: set[int] | None) -> None:
        self.recounts, self.last_recount = self.recounts + 1, only
        colours, overdue = cascade_counts(session, clock, only), overdue_counts(session, clock, only)
        if only is None:
            self._colours, self._overdue = colours, overdue
        else:
            self._colours.update(colours)
            self._overdue.update(overdue)
