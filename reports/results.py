"""Results in the review summary: each task's report (summary, files, figures, review) and,
per target, the figures reported, combined by the target's rule against the value aimed at,
with the bodies that did not report.

One figure counts per body and target: the newest report of the body's tasks on that target
that was not returned (a returned report is being redone: Thanh Hóa's rule counts it as not
done). Cancelled tasks are not expected to report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from models.report_views import ReportView, TargetView, reports_of_tasks, targets_of_tasks
from models.status import TaskStatus
from models.tables import Target
from models.targets import Combined, combine
from models.vocabulary import REACHED, combine_label, review_label, vi_number, vi_sort_key
from reports.model import BodyInfo, TaskRef


@dataclass
class TaskResult:
    """A task and its reports (the newest last)."""

    task: TaskRef
    closed_at: dt.datetime | None
    reports: list[ReportView] = field(default_factory=list)

    @property
    def report(self) -> ReportView | None:
        return self.reports[-1] if self.reports else None

    @property
    def review(self) -> str | None:
        """accepted | returned | pending | contribution (a co-operating body's part) | None."""
        if self.report is None:
            return None
        if self.report.outcome:
            return self.report.outcome
        return "contribution" if self.task.role == "cooperating" else "pending"

    @property
    def review_label(self) -> str:
        return review_label(self.review) if self.review else "chưa báo cáo"

    def as_json(self) -> dict[str, Any]:
        r = self.report
        return {**self.task.as_json(),
                "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "report": None if r is None else {
                    "at": r.at.isoformat(), "actor": r.actor, "channel": r.channel,
                    "summary": r.summary, "review": self.review,
                    "reviewed_at": r.reviewed_at.isoformat() if r.reviewed_at else None,
                    "review_note": r.review_note},
                "reports": len(self.reports),
                "files": [f.as_json() for f in r.files] if r else [],
                "figures": r.figures_by_key if r else {}}


@dataclass
class FigureRow:
    body: BodyInfo
    task_id: int
    value: float
    typed: str
    at: dt.datetime
    review: str | None

    def as_json(self) -> dict[str, Any]:
        return {"body": self.body.id, "body_name": self.body.name, "task": self.task_id,
                "value": self.value, "text": self.typed, "at": self.at.isoformat(),
                "review": self.review}


@dataclass
class TargetResult:
    directive: str
    target: TargetView
    figures: list[FigureRow]
    combined: Combined
    not_reported: list[BodyInfo]

    def shown(self, value: float | None) -> str:
        if value is None:
            return "—"
        unit = self.target.unit
        return f"{vi_number(value, 4)}{unit}" if unit == "%" else f"{vi_number(value, 4)} {unit}"

    @property
    def combined_text(self) -> str:
        c = self.combined
        if c.value is None:
            return "chưa có số liệu"
        if c.rule == "share":
            return f"{c.reaching}/{c.reporting} đơn vị đạt ({vi_number(c.value, 1)}%)"
        return self.shown(c.value)

    @property
    def reached_text(self) -> str:
        return REACHED[self.combined.reached]

    def as_json(self) -> dict[str, Any]:
        t, c = self.target, self.combined
        return {"id": t.key, "directive": self.directive, "text": t.text, "unit": t.unit,
                "value": t.value, "year": t.year, "combine": t.combine,
                "combine_label": combine_label(t.combine),
                "figures": [f.as_json() for f in self.figures],
                "combined": c.value, "reporting": c.reporting, "reaching": c.reaching,
                "reached": c.reached,
                "not_reported": [{"body": b.id, "body_name": b.name} for b in self.not_reported]}


@dataclass
class Results:
    tasks: list[TaskResult]
    targets: list[TargetResult]

    def reported(self) -> list[TaskResult]:
        return [t for t in self.tasks if t.report is not None]


def load_results(session: Session, *, cascades: dict[int, str], tasks: list[Any],
                 refs: dict[int, TaskRef]) -> Results:
    """`cascades`: {cascade id: directive number}; `tasks`: rows with id, cascade_id,
    body_id, status, closed_at (reports.summarise._tasks)."""
    ids = [t.id for t in tasks]
    reports = reports_of_tasks(session, ids)
    results = [TaskResult(refs[t.id], t.closed_at, reports.get(t.id, [])) for t in tasks]
    by_id = {r.task.id: r for r in results}
    named = targets_of_tasks(session, ids)
    on_target: dict[int, list[int]] = defaultdict(list)  # target id -> task ids naming it
    for task_id, views in named.items():
        for view in views:
            on_target[view.id].append(task_id)
    rows = session.exec(select(Target).where(col(Target.cascade_id).in_(list(cascades)))
                        .order_by(col(Target.cascade_id), col(Target.position))).all()
    targets = []
    for row in rows:
        assert row.id is not None
        view = TargetView(row.id, row.key, row.text, row.unit, row.value, row.year, row.combine)
        targets.append(_target_result(cascades[row.cascade_id], view,
                                      [by_id[i] for i in on_target.get(row.id, [])]))
    return Results(results, targets)


def _target_result(directive: str, target: TargetView, tasks: list[TaskResult]) -> TargetResult:
    newest: dict[str, FigureRow] = {}
    expected: dict[str, BodyInfo] = {}
    for t in tasks:
        if t.task.status != TaskStatus.CANCELLED.value:
            expected[t.task.body.id] = t.task.body
        for r in t.reports:
            if r.outcome == "returned":
                continue
            figure = next((g for g in r.figures if g.target.id == target.id), None)
            if figure is None:
                continue
            current = newest.get(t.task.body.id)
            if current is None or r.at >= current.at:
                review = r.outcome or ("contribution" if t.task.role == "cooperating" else "pending")
                newest[t.task.body.id] = FigureRow(t.task.body, t.task.id, figure.value,
                                                   figure.typed, r.at, review)
    figures = sorted(newest.values(), key=lambda f: vi_sort_key(f.body.name))
    missing = sorted((b for i, b in expected.items() if i not in newest),
                     key=lambda b: vi_sort_key(b.name))
    return TargetResult(directive, target, figures,
                        combine([f.value for f in figures], rule=target.combine, aimed=target.value),
                        missing)
