"""The review summary as a use case: summarise a directive, render it, write it whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from models.atomic import write_output
from models.calendar import WorkingCalendar
from models.db import unit_of_work
from reports.model import Summary
from reports.render import FORMATS, default_name, render_summary
from reports.summarise import summarise_directive

__all__ = ["FORMATS", "ReportError", "ReportFile", "build_report", "default_name"]


class ReportError(ValueError):
    """The report cannot be written as asked; nothing was written."""


@dataclass(frozen=True)
class ReportFile:
    summary: Summary
    fmt: str
    data: bytes
    path: Path | None  # None: not written (the caller prints `data`)


def build_report(*, engine: Engine, number: str, at: dt.datetime, tz: dt.tzinfo,
                 calendar: WorkingCalendar, near_due_working_days: int, fmt: str,
                 issuer: str | None = None, output: Path | None = None,
                 default_dir: Path | None = None) -> ReportFile:
    """The summary of directive `number` in `fmt`, written atomically to `output` (a .docx
    goes to `default_dir/bao-cao-<number>.docx` when no output is given). Raises NotFound
    (models.directives) or ReportError."""
    if fmt not in FORMATS:
        raise ReportError(f"định dạng {fmt!r}: chọn một trong {', '.join(FORMATS)}")
    with unit_of_work(engine, write=False) as session:
        summary = summarise_directive(session=session, number=number, at=at, tz=tz,
                                      calendar=calendar,
                                      near_due_working_days=near_due_working_days, issuer=issuer)
    data = render_summary(summary, fmt)
    if output is None and fmt == "docx" and default_dir is not None:
        output = default_dir / default_name(summary.directive.number, fmt)
    if output is not None:
        write_output(output, data, ReportError)
    return ReportFile(summary, fmt, data, output)
