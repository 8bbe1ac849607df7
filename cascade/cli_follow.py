"""`cascade sweep` and `cascade digest`: chasing what is due and late."""

from __future__ import annotations

from typing import Annotated

import typer

from cascade.cli import AtOpt, FormatOpt, _app, _at, _check_format, _guard, _out, _print_json, app, fail

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Tính và báo cáo, không ghi gì")]
KIND_LABELS = {"reminder": "nhắc trước hạn", "escalation": "đôn đốc sau hạn"}


@app.command()
@_guard
def sweep(
    at: AtOpt = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "table",
) -> None:
    """Đôn đốc theo chính sách: ghi mỗi lần nhắc, mỗi mức đôn đốc một lần, kèm thư; chuyển kỳ hằng năm."""
    from services.sweep import run_sweep

    _check_format(format)
    app_ = _app()
    when = _at(app_, at)
    report = run_sweep(engine=app_.ready_engine(), settings=app_.settings, calendar=app_.calendar,
                       at=when, dry_run=dry_run)
    if format == "json":
        _print_json(report.as_json())
        return
    from rich.table import Table

    out = _out()
    prefix = "Chạy thử: " if dry_run else ""
    out.print(f"{prefix}Rà soát đến {report.today:%d/%m/%Y}: {report.candidates} nhiệm vụ đang mở "
              f"gần hoặc quá hạn (quá hạn {report.colours.get('overdue', 0)}, sắp đến hạn "
              f"{report.colours.get('near_due', 0)}, trong hạn {report.colours.get('in_term', 0)}).")
    if report.counts:
        table = Table(title=f"{prefix}Nhắc và đôn đốc {'sẽ ghi' if dry_run else 'mới ghi'}")
        for col in ("Loại", "Mức", "Số nhiệm vụ"):
            table.add_column(col)
        for key, n in report.counts.items():
            kind, level = key.split(":")
            label = f"{level} ngày làm việc trước hạn" if kind == "reminder" else f"mức {level}"
            table.add_row(KIND_LABELS[kind], label, str(n))
        out.print(table)
    verb = "sẽ" if dry_run else "đã"
    out.print(f"{len(report.created)} lần nhắc/đôn đốc mới, {verb} xếp {len(report.created)} thư "
              f"(cascade dispatch); {report.already} đã ghi từ trước.")
    if report.rollovers:
        out.print(f"Chuyển kỳ: {len(report.rollovers)} nhiệm vụ định kỳ hết kỳ, đã tạo kỳ tiếp theo.")
    for r in report.rollovers[:10]:
        out.print(f"  nhiệm vụ #{r.task_id} → kỳ {r.occurrence} (#{r.new_task_id}), "
                  f"hạn {r.due_on:%d/%m/%Y}")
    if len(report.rollovers) > 10:
        out.print(f"  ... và {len(report.rollovers) - 10} nhiệm vụ khác (--format json để xem hết)")
    for problem in report.problems:
        out.print(f"Lưu ý: {problem}")
    if dry_run:
        out.print("Chạy thử: không ghi gì vào cơ sở dữ liệu.")


@app.command()
@_guard
def digest(
    at: AtOpt = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Chỉ bản tổng hợp gửi đơn vị này (mã đơn vị)")] = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "table",
) -> None:
    """Tổng hợp nhiệm vụ quá hạn gửi đơn vị theo dõi và lãnh đạo: theo văn bản, theo đơn vị."""
    from services.digest import run_digests

    _check_format(format)
    app_ = _app()
    if to is not None and to not in app_.registry.bodies:
        near = app_.registry.suggest(to)
        fail(f"--to {to!r}: không có đơn vị này" + (f" (có phải {', '.join(near)}?)" if near else ""))
    when = _at(app_, at)
    run = run_digests(engine=app_.ready_engine(), settings=app_.settings, calendar=app_.calendar,
                      at=when, to=to, dry_run=dry_run)
    if format == "json":
        _print_json(run.as_json())
        return
    out = _out()
    if not run.digests:
        who = f" cho {app_.registry.label(to)}" if to else ""
        out.print(f"Không có nhiệm vụ quá hạn nào cần tổng hợp{who} đến {run.today:%d/%m/%Y}.")
        return
    from rich.table import Table

    prefix = "Chạy thử: " if dry_run else ""
    table = Table(title=f"{prefix}Bản tổng hợp ngày {run.today:%d/%m/%Y}")
    for col in ("Gửi", "Văn bản", "Đơn vị", "Quá hạn", "Đã báo cáo vượt cấp", "Thư"):
        table.add_column(col)
    queued = set(run.queued)
    for d in run.digests:
        state = ("sẽ xếp" if dry_run else "đã xếp") if d.key in queued else "đã xếp trước đó"
        table.add_row(d.supervisor_name, str(len(d.directives)), str(d.bodies), str(d.overdue),
                      str(d.escalated), state)
    out.print(table)
    out.print(f"{len(run.queued)} thư tổng hợp mới (cascade dispatch); {len(run.already)} đã xếp "
              "trong ngày từ trước.")
    if dry_run:
        out.print("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
