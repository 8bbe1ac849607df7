"""`cascade report`: the review summary (sơ kết, tổng kết) of a directive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.common import app_of, check_format, fail, guard, moment, out
from cascade.cli.options import AtOpt


@guard
def report(
    ctx: typer.Context,
    directive: Annotated[str, typer.Argument(help="Số văn bản, ví dụ 48-KH/ĐĐTLĐ")],
    at: AtOpt = None,
    format: Annotated[str, typer.Option("--format", help="html, docx hoặc json")] = "html",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ghi ra tệp")] = None,
    issuer: Annotated[str | None, typer.Option(
        "--issuer", help="Mã cơ quan ban hành, khi nhiều văn bản trùng số")] = None,
) -> None:
    """Báo cáo sơ kết, tổng kết: đúng hạn, trễ hạn, trong hạn, quá hạn, gia hạn, theo đơn vị."""
    from reports.render import FORMATS
    from services.reporting import ReportError, build_report

    check_format(format, FORMATS)
    app = app_of(ctx)
    try:
        written = build_report(engine=app.ready_engine(), number=directive, at=moment(app, at),
                               tz=app.tz, calendar=app.calendar,
                               near_due_working_days=app.settings.near_due_working_days, fmt=format,
                               issuer=issuer, output=output, default_dir=Path.cwd())
    except ReportError as exc:
        fail(str(exc))
    if written.path is None:
        sys.stdout.buffer.write(written.data)
        sys.stdout.flush()
        return
    t = written.summary.overall
    out().print(f"Đã ghi báo cáo {written.summary.directive.number} ({format}) vào {written.path}: "
                f"{t.tasks} nhiệm vụ, {t.done} đã hoàn thành, {t.overdue} quá hạn.")
