"""A body reports its result with a summary, files and figures; the coordinator accepts or
returns it. One use case per function; the CLI, the link pages and the console call these.

Order of writes (a crash at any point leaves no row pointing at a missing file): the input is
checked first (nothing stored when anything is refused), the files are copied into the store
under temporary names (`stage_files`: the link page does both before its write transaction
begins, so no writer waits on files), the transition is applied (a guarded UPDATE, flushed, not
committed), then each file is given its name (a rename) and the rows naming it are added; the
caller's unit of work commits. A failure before the commit rolls every row back; what was
staged is discarded, a file already named stays as an orphan, harmless, which `clean_store`
removes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from models.figures import FigureError, parse_figure
from models.files import (
    CheckedFile,
    FileRefused,
    FileStore,
    Staged,
    Upload,
    UploadLimits,
    check_content,
    check_count,
    check_label,
)
from models.report_views import TargetView
from models.tables import (
    Assignment,
    AssignmentTarget,
    ReportFigure,
    ReportFile,
    Target,
    Task,
    TaskReport,
)
from services.actions import ActionRefused, ActionResult, NewDate, TaskNotFound, record_action

MAX_SUMMARY = 4000


@dataclass(frozen=True)
class ReportInput:
    """What a body sends: a summary, files, and figures by target id (text as typed; an empty
    text gives no figure)."""

    summary: str | None = None
    files: Sequence[Upload] = ()
    figures: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InputProblem:
    field: str  # 'summary', 'files', 'figure:T1'
    message: str


class ReportRefused(ActionRefused):
    """The report's input cannot be used; nothing was stored. `problems` says what and where."""

    def __init__(self, problems: list[InputProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CheckedReport:
    summary: str | None
    files: list[CheckedFile]
    figures: list[tuple[TargetView, float, str]]


@dataclass
class ReportResult:
    action: ActionResult
    report_id: int
    files: list[ReportFile]
    figures: list[tuple[TargetView, float, str]]


def task_targets(session: Session, task_id: int) -> list[TargetView]:
    """The targets the task's assignment names, in the template's order."""
    rows = session.exec(
        select(Target).join(AssignmentTarget, col(AssignmentTarget.target_id) == Target.id)
        .join(Task, col(Task.assignment_id) == AssignmentTarget.assignment_id)
        .where(Task.id == task_id).order_by(col(Target.position))).all()
    return [TargetView(t.id, t.key, t.text, t.unit, t.value, t.year, t.combine) for t in rows
            if t.id is not None]


def check_files(uploads: Sequence[Upload],
                limits: UploadLimits) -> tuple[list[CheckedFile], list[InputProblem]]:
    """The files checked, or what is wrong with them. Pure (no session): run before any
    transaction. The contents are read only when every name, size and the count pass, so one
    bad name among large packages costs nothing more."""
    try:
        check_count(len(uploads), limits)
    except FileRefused as exc:
        return [], [InputProblem("files", str(exc))]
    labelled, problems = [], []
    for upload in uploads:
        try:
            labelled.append((upload, *check_label(upload, limits)))
        except FileRefused as exc:
            problems.append(InputProblem("files", str(exc)))
    if problems:
        return [], problems
    files = []
    for upload, name, expected in labelled:
        try:
            files.append(check_content(upload, name, expected))
        except FileRefused as exc:
            problems.append(InputProblem("files", str(exc)))
    return ([], problems) if problems else (files, [])


def stage_files(store: FileStore, files: Sequence[CheckedFile]) -> list[Staged]:
    """Copy the checked files into the store under temporary names, before the transaction that
    records them (`record_report(staged=...)`); the caller discards them if it fails."""
    staged: list[Staged] = []
    try:
        for checked in files:
            checked.content.seek(0)
            staged.append(store.stage(checked.content))
    except BaseException:
        for item in staged:
            store.discard(item)
        raise
    return staged


def check_report(*, session: Session, task_id: int, report: ReportInput, limits: UploadLimits,
                 checked_files: Sequence[CheckedFile] | None = None) -> CheckedReport:
    """Every problem of the input at once (ReportRefused), or the input ready to record.
    `checked_files`: the files, already checked by `check_files`."""
    problems: list[InputProblem] = []
    summary = (report.summary or "").strip() or None
    if summary and len(summary) > MAX_SUMMARY:
        problems.append(InputProblem("summary", f"tóm tắt dài {len(summary)} ký tự, tối đa "
                                                f"{MAX_SUMMARY} ký tự: đưa phần chi tiết vào tệp"))
    files: list[CheckedFile] = []
    if checked_files is not None:
        files = list(checked_files)
    else:
        files, file_problems = check_files(report.files, limits)
        problems += file_problems
    targets = {t.key: t for t in task_targets(session, task_id)}
    figures = []
    for key, text in report.figures.items():
        target = targets.get(key)
        if target is None:
            problems.append(InputProblem(f"figure:{key}", f"nhiệm vụ này không báo cáo chỉ "
                                                          f"tiêu {key!r}"))
            continue
        if not (text or "").strip():
            continue
        try:
            figures.append((target, parse_figure(text, target.unit), text.strip()))
        except FigureError as exc:
            problems.append(InputProblem(f"figure:{key}", f"chỉ tiêu {key} ({target.unit}): {exc}"))
    if problems:
        raise ReportRefused(problems)
    return CheckedReport(summary, files, figures)


def record_report(*, session: Session, store: FileStore, task_id: int, report: CheckedReport,
                  at: dt.datetime, tz: dt.tzinfo, actor: str | None, channel: str,
                  on_behalf_of: str | None = None,
                  staged: Sequence[Staged] | None = None) -> ReportResult:
    """Apply 'report' and attach the checked files and figures to its report row. `staged`:
    the files already copied into the store (`stage_files`), only named here."""
    action = record_action(session=session, task_id=task_id, action="report", at=at, actor=actor,
                           channel=channel, note=report.summary, tz=tz, on_behalf_of=on_behalf_of)
    row = session.exec(select(TaskReport).where(TaskReport.event_id == action.event_id)).one()
    assert row.id is not None
    if staged is None:
        staged = stage_files(store, report.files)
    files = []
    for position, (checked, copy) in enumerate(zip(report.files, staged, strict=True)):
        stored = store.publish(copy)  # the file first, the row naming it second
        files.append(ReportFile(report_id=row.id, position=position, sha256=stored.sha256,
                                name=checked.name, size=stored.size, content_type=checked.type.mime))
    session.add_all(files)
    session.add_all([ReportFigure(report_id=row.id, target_id=target.id, value=value, text=text)
                     for target, value, text in report.figures])
    session.flush()
    return ReportResult(action, row.id, files, report.figures)


def submit_report(*, session: Session, store: FileStore, limits: UploadLimits, task_id: int,
                  report: ReportInput, at: dt.datetime, tz: dt.tzinfo, actor: str | None,
                  channel: str, on_behalf_of: str | None = None) -> ReportResult:
    """Check, then record, a report (ReportRefused, ActionRefused or TaskNotFound: nothing
    changed, nothing stored). The caller's unit of work commits."""
    if session.get(Task, task_id) is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    checked = check_report(session=session, task_id=task_id, report=report, limits=limits)
    return record_report(session=session, store=store, task_id=task_id, report=checked, at=at,
                         tz=tz, actor=actor, channel=channel, on_behalf_of=on_behalf_of)


def accept_report(*, session: Session, task_id: int, at: dt.datetime, tz: dt.tzinfo,
                  actor: str | None = None, channel: str = "cli", note: str | None = None,
                  on_behalf_of: str | None = None) -> ActionResult:
    """The coordinator accepts the lead's report: the task is done, dated by the report.

    A console user acts with `actor` = the user and `on_behalf_of` = the cascade's coordinator;
    the audit trail names the user."""
    return record_action(session=session, task_id=task_id, action="accept", at=at, actor=actor,
                         channel=channel, note=note, tz=tz, on_behalf_of=on_behalf_of)


def return_report(*, session: Session, task_id: int, reason: str, at: dt.datetime,
                  tz: dt.tzinfo, actor: str | None = None, channel: str = "cli",
                  until: NewDate | None = None, on_behalf_of: str | None = None) -> ActionResult:
    """The coordinator returns the report with a reason (required); the body gets a mail with a
    new report link. The deadline stays unless `until` gives a new one."""
    return record_action(session=session, task_id=task_id, action="return", at=at, actor=actor,
                         channel=channel, note=reason, until=until, tz=tz,
                         on_behalf_of=on_behalf_of)


def awaiting_review(session: Session, *, coordinator: str | None = None) -> list[int]:
    """Ids of the tasks whose report waits for the coordinator (the console's inbox), oldest
    report first."""
    from models.status import TaskStatus
    from models.tables import Cascade

    query = (select(Task.id).join(TaskReport, col(TaskReport.task_id) == Task.id)
             .join(Assignment, col(Assignment.id) == Task.assignment_id)
             .join(Cascade, col(Cascade.id) == Task.cascade_id)
             .where(Task.status == TaskStatus.REPORTED.value, col(TaskReport.outcome).is_(None)))
    if coordinator is not None:
        query = query.where(Cascade.coordinator_id == coordinator)
    ids = session.exec(query.order_by(col(TaskReport.at), col(Task.id))).all()
    return list(dict.fromkeys(i for i in ids if i is not None))
