"""`cascade sweep` and `cascade digest`: chasing what is due and late."""

from __future__ import annotations

from typing import Annotated

import typer

from cascade.cli.common import app_of, check_format, guard, known_body, moment, out, print_json
from cascade.cli.options import AtOpt, FormatOpt
from cascade.cli.tables import show, table

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Tính và báo cáo, không ghi gì")]


@guard
def sweep(
    ctx: typer.Context,
    at: AtOpt = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "table",
) -> None:
    """Đôn đốc theo chính sách: ghi mỗi lần nhắc, mỗi mức đôn đốc một lần, kèm thư; chuyển kỳ hằng năm."""
    from models.vocabulary import FOLLOW_UP_KIND
    from services.sweep import run_sweep

    check_format(format)
    app = app_of(ctx)
    app.require_safe()
    when = moment(app, at)
    report = run_sweep(engine=app.ready_engine(), policy=app.policy, calendar=app.calendar,
                       tz=app.tz, near_due_working_days=app.settings.near_due_working_days,
                       at=when, dry_run=dry_run)
    if format == "json":
        print_json(report.as_json())
        return
    console = out()
    prefix = "Chạy thử: " if dry_run else ""
    console.print(f"{prefix}Rà soát đến {report.today:%d/%m/%Y}: {report.candidates} nhiệm vụ đang "
                  f"mở gần hoặc quá hạn (quá hạn {report.colours.get('overdue', 0)}, sắp đến hạn "
                  f"{report.colours.get('near_due', 0)}, trong hạn {report.colours.get('in_term', 0)}).")
    if report.counts:
        listing = table(f"{prefix}Nhắc và đôn đốc {'sẽ ghi' if dry_run else 'mới ghi'}", "Loại", "Mức",
                        ("Số nhiệm vụ", {"justify": "right"}))
        for key, n in report.counts.items():
            kind, level = key.split(":")
            label = f"{level} ngày làm việc trước hạn" if kind == "reminder" else f"mức {level}"
            listing.add_row(FOLLOW_UP_KIND[kind], label, str(n))
        show(listing)
    verb = "sẽ" if dry_run else "đã"
    console.print(f"{len(report.created)} lần nhắc/đôn đốc mới, {verb} xếp {len(report.created)} thư "
                  f"(cascade dispatch); {report.already} đã ghi từ trước.")
    if report.rollovers:
        console.print(f"Chuyển kỳ: {len(report.rollovers)} nhiệm vụ định kỳ hết kỳ, đã tạo kỳ tiếp theo.")
    for r in report.rollovers[:10]:
        console.print(f"  nhiệm vụ #{r.task_id} → kỳ {r.occurrence} (#{r.new_task_id}), "
                      f"hạn {r.due_on:%d/%m/%Y}")
    if len(report.rollovers) > 10:
        console.print(f"  ... và {len(report.rollovers) - 10} nhiệm vụ khác (--format json để xem hết)")
    for problem in report.problems:
        console.print(f"Lưu ý: {problem}")
    if dry_run:
        console.print("Chạy thử: không ghi gì vào cơ sở dữ liệu.")


@guard
def digest(
    ctx: typer.Context,
    at: AtOpt = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Chỉ bản tổng hợp gửi đơn vị này (mã đơn vị)")] = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "table",
) -> None:
    """Tổng hợp nhiệm vụ quá hạn gửi đơn vị theo dõi và lãnh đạo: theo văn bản, theo đơn vị."""
    from services.digest import run_digests

    check_format(format)
    app = app_of(ctx)
    app.require_safe()
    known_body(app, to, "--to")
    when = moment(app, at)
    run = run_digests(engine=app.ready_engine(), policy=app.policy, calendar=app.calendar,
                      tz=app.tz, near_due_working_days=app.settings.near_due_working_days,
                      at=when, to=to, dry_run=dry_run)
    if format == "json":
        print_json(run.as_json())
        return
    console = out()
    if not run.digests:
        who = f" cho {app.registry.label(to)}" if to else ""
        console.print(f"Không có nhiệm vụ quá hạn nào cần tổng hợp{who} đến {run.today:%d/%m/%Y}.")
        return
    prefix = "Chạy thử: " if dry_run else ""
    listing = table(f"{prefix}Bản tổng hợp ngày {run.today:%d/%m/%Y}",
                    ("Gửi", {"ratio": 1, "no_wrap": False}), ("Văn bản", {"justify": "right"}),
                    ("Đơn vị", {"justify": "right"}), ("Quá hạn", {"justify": "right"}),
                    ("Đã báo cáo vượt cấp", {"justify": "right", "no_wrap": False, "max_width": 10}),
                    ("Thư", {"no_wrap": False, "max_width": 12}))
    queued = set(run.queued)
    for d in run.digests:
        state = ("sẽ xếp" if dry_run else "đã xếp") if d.key in queued else "đã xếp trước đó"
        listing.add_row(d.supervisor_name, str(len(d.directives)), str(d.bodies), str(d.overdue),
                        str(d.escalated), state)
    show(listing)
    console.print(f"{len(run.queued)} thư tổng hợp mới (cascade dispatch); {len(run.already)} đã xếp "
                  "trong ngày từ trước.")
    if dry_run:
        console.print("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
