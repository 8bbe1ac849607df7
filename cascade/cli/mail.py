"""`cascade dispatch` and `cascade outbox`: draining and inspecting the mail outbox."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cascade.cli.common import app_of, check_format, fail, guard, out, print_json
from cascade.cli.options import FormatOpt

if TYPE_CHECKING:
    from cascade.bootstrap import App
    from services.dispatch import DispatchReport


def _round(app: App, *, batch_size: int | None, show_progress: bool) -> DispatchReport:
    """One drain of everything due now, with a progress bar on a terminal."""
    from services.dispatch import DispatchReport, count_due, dispatch_outbox

    engine = app.engine
    total = count_due(engine=engine, at=app.clock(),
                      lease=dt.timedelta(seconds=app.settings.outbox_lease_seconds))
    if total == 0:
        return DispatchReport(destination=app.mailer.description)
    kwargs: dict[str, Any] = {"engine": engine, "mailer": app.mailer, "renderer": app.renderer,
                              "signer": app.signer, "settings": app.settings, "clock": app.clock,
                              "batch_size": batch_size}
    console = out()
    if not show_progress or not console.is_terminal:
        return dispatch_outbox(**kwargs)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("Gửi thư"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        bar = progress.add_task("gửi", total=total)
        return dispatch_outbox(**kwargs, on_progress=lambda _outcome: progress.advance(bar))


def _summary(report: DispatchReport, app: App) -> list[str]:
    lines = []
    if report.sent:
        where = (f"ghi thành tệp .eml trong {app.settings.outbox_dir}"
                 if not app.settings.smtp.configured else f"gửi qua {report.destination}")
        lines.append(f"Đã gửi {report.sent} thư ({where}).")
    if report.retried:
        lines.append(f"{report.retried} thư gặp lỗi tạm thời, sẽ thử lại sau.")
    if report.failed:
        lines.append(f"{report.failed} thư không gửi được; xem `cascade outbox --failed`.")
    if report.waiting:
        lines.append(f"{report.waiting} thư chờ địa chỉ e-mail của đơn vị nhận; xem "
                     "`cascade bodies --missing-email`.")
    if report.stopped:
        lines.append(f"Tạm dừng: {report.stopped}. Thư chưa gửi vẫn nằm trong hàng đợi.")
    return lines


@guard
def dispatch(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Gửi một lượt rồi dừng")] = False,
    interval: Annotated[float, typer.Option(
        "--interval", help="Số giây giữa hai lượt khi chạy liên tục")] = 5.0,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", help="Số thư mỗi lô (mặc định: CASCADE_OUTBOX_BATCH, 50)", min=1)] = None,
    format: FormatOpt = "table",
) -> None:
    """Gửi thư trong hàng đợi: qua máy chủ SMTP đã cấu hình, hoặc ghi tệp .eml vào .cascade/outbox/."""
    import time

    from services.dispatch import DispatchError, prepare_dispatch

    check_format(format)
    app = app_of(ctx)
    app.require_safe()
    try:
        prepare_dispatch(engine=app.ready_engine(), registry=app.registry, contacts=app.contacts,
                         settings=app.settings, at=app.clock())
    except DispatchError as exc:
        fail(str(exc))
    console = out()
    if once:
        report = _round(app, batch_size=batch_size, show_progress=format == "table")
        if format == "json":
            print_json(report.as_json())
        else:
            for line in _summary(report, app) or ["Không có thư nào cần gửi."]:
                console.print(line)
        if report.stopped:
            raise typer.Exit(1)
        return
    console.print(f"Đang chờ thư để gửi ({'SMTP' if app.settings.smtp.configured else 'tệp .eml'}), "
                  f"kiểm tra mỗi {interval:g} giây. Nhấn Ctrl-C để dừng.")
    totals = {"sent": 0, "retried": 0, "failed": 0}
    try:
        while True:
            report = _round(app, batch_size=batch_size, show_progress=format == "table")
            for key in totals:
                totals[key] += getattr(report, key)
            for line in _summary(report, app):
                console.print(line)
            time.sleep(interval)
    except KeyboardInterrupt:
        console.print(f"Đã dừng. Tổng cộng: gửi {totals['sent']}, thử lại {totals['retried']}, "
                      f"thất bại {totals['failed']}.")


@guard
def outbox(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Chỉ các thư không gửi được")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa (0: tất cả)", min=0)] = 100,
    format: FormatOpt = "table",
) -> None:
    """Hàng đợi thư: người nhận, trạng thái, số lần thử, lỗi gần nhất, Message-ID."""
    from cascade.cli import reads

    reads.outbox(app_of(ctx), failed=failed, limit=limit, format=format)
