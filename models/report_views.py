"""Reports as every channel shows them (link pages, mails, the review summary, the console):
summary, files, figures against their targets, and the coordinator's review. A repository
query: a handful of queries for any number of tasks, frozen data out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.files import FILE_TYPES
from models.tables import AssignmentTarget, ReportFigure, ReportFile, Target, Task, TaskReport
from models.vocabulary import file_size, review_label, vi_number

_CHUNK = 500
_KIND_OF_MIME = {t.mime: t.label for t in FILE_TYPES.values()}


@dataclass(frozen=True)
class FileView:
    id: int
    name: str
    size: int
    content_type: str
    sha256: str

    @property
    def size_text(self) -> str:
        return file_size(self.size)

    @property
    def kind_label(self) -> str:
        return _KIND_OF_MIME.get(self.content_type, self.content_type)

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class TargetView:
    id: int
    key: str
    text: str
    unit: str
    value: float
    year: int | None
    combine: str

    @property
    def label(self) -> str:
        return f"{self.key}: {self.text}"


@dataclass(frozen=True)
class FigureView:
    target: TargetView
    value: float
    typed: str

    @property
    def value_text(self) -> str:
        unit = self.target.unit
        return f"{vi_number(self.value, 4)}{unit}" if unit == "%" else \
            f"{vi_number(self.value, 4)} {unit}"


@dataclass(frozen=True)
class ReportView:
    id: int
    task_id: int
    event_id: int
    at: dt.datetime
    actor: str
    channel: str
    summary: str | None
    outcome: str | None  # accepted | returned | None (not reviewed)
    reviewed_at: dt.datetime | None
    review_note: str | None
    files: tuple[FileView, ...]
    figures: tuple[FigureView, ...]
    missing: tuple[TargetView, ...]  # the task's targets this report gave no figure for

    @property
    def outcome_label(self) -> str:
        return review_label(self.outcome)

    @property
    def figures_by_key(self) -> dict[str, float]:
        return {f.target.key: f.value for f in self.figures}


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def targets_of_tasks(session: Session, task_ids: list[int]) -> dict[int, list[TargetView]]:
    """{task id: the targets its assignment names, in the template's order}."""
    out: dict[int, list[TargetView]] = defaultdict(list)
    for chunk in _chunks(task_ids):
        rows = session.exec(
            select(Task.id, Target)
            .join(AssignmentTarget, col(AssignmentTarget.assignment_id) == Task.assignment_id)
            .join(Target, col(Target.id) == AssignmentTarget.target_id)
            .where(col(Task.id).in_(chunk)).order_by(col(Task.id), col(Target.position))).all()
        for task_id, t in rows:
            assert task_id is not None and t.id is not None
            out[task_id].append(TargetView(t.id, t.key, t.text, t.unit, t.value, t.year, t.combine))
    return out


def reports_of_tasks(session: Session, task_ids: list[int]) -> dict[int, list[ReportView]]:
    """{task id: its reports, oldest first}."""
    task_ids = list(dict.fromkeys(task_ids))
    reports: list[TaskReport] = []
    for chunk in _chunks(task_ids):
        reports += session.exec(select(TaskReport).where(col(TaskReport.task_id).in_(chunk))
                                .order_by(col(TaskReport.id))).all()
    return _views(session, reports, targets_of_tasks(session, task_ids) if reports else {})


def latest_report(session: Session, task_id: int) -> ReportView | None:
    views = reports_of_tasks(session, [task_id]).get(task_id, [])
    return views[-1] if views else None


def _views(session: Session, reports: list[TaskReport],
           targets: dict[int, list[TargetView]]) -> dict[int, list[ReportView]]:
    ids = [r.id for r in reports if r.id is not None]
    files: dict[int, list[FileView]] = defaultdict(list)
    figures: dict[int, dict[int, ReportFigure]] = defaultdict(dict)
    for chunk in _chunks(ids):
        for f in session.exec(select(ReportFile).where(col(ReportFile.report_id).in_(chunk))
                              .order_by(col(ReportFile.report_id), col(ReportFile.position))).all():
            assert f.id is not None
            files[f.report_id].append(FileView(f.id, f.name, f.size, f.content_type, f.sha256))
        for g in session.exec(select(ReportFigure).where(col(ReportFigure.report_id).in_(chunk))).all():
            figures[g.report_id][g.target_id] = g
    out: dict[int, list[ReportView]] = defaultdict(list)
    for r in reports:
        assert r.id is not None
        given = figures.get(r.id, {})
        task_targets = targets.get(r.task_id, [])
        out[r.task_id].append(ReportView(
            id=r.id, task_id=r.task_id, event_id=r.event_id, at=r.at, actor=r.actor,
            channel=r.channel, summary=r.summary, outcome=r.outcome, reviewed_at=r.reviewed_at,
            review_note=r.review_note, files=tuple(files.get(r.id, [])),
            figures=tuple(FigureView(t, given[t.id].value, given[t.id].text)
                          for t in task_targets if t.id in given),
            missing=tuple(t for t in task_targets if t.id not in given)))
    return out


def file_of_task(session: Session, task_id: int, file_id: int) -> FileView | None:
    """File `file_id` if it belongs to a report of task `task_id` (else None: not served)."""
    row = session.exec(select(ReportFile).join(TaskReport, col(TaskReport.id) == ReportFile.report_id)
                       .where(ReportFile.id == file_id, TaskReport.task_id == task_id)).first()
    if row is None or row.id is None:
        return None
    return FileView(row.id, row.name, row.size, row.content_type, row.sha256)
